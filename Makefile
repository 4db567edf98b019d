# award-pipeline: `make demo` sets everything up and runs the pipeline on the samples; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out/demo
SUDO   := $(shell [ "$$(id -u)" = 0 ] && echo "" || (command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && echo sudo))
CAN_APT := $(shell command -v apt-get >/dev/null 2>&1 && ([ "$$(id -u)" = 0 ] || (command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null)) && echo yes)
DEB_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming fonts-liberation fonts-dejavu-core poppler-utils fontconfig qpdf chromium chromium-driver chromium-l10n

.PHONY: setup system-packages demo test lint bench clean samples templates

setup: system-packages $(STAMP)

# LibreOffice Writer (PDF, legacy formats) and Calc (the workbooks' print tests), CJK fonts, Liberation (Times New Roman/Arial metrics), qpdf and Chromium
# (PDF samples of other producers, web tests; chromium-l10n: the browser's own controls in Chinese in the screenshots), when this machine lets us install them.
system-packages:
	@if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && command -v qpdf >/dev/null 2>&1 \
	    && lo=$$(readlink -f "$$(command -v soffice)") && [ -f "$${lo%/program/soffice}/share/registry/calc.xcd" ] \
	    && command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
	    && { [ ! -d /usr/lib/chromium ] || [ -f /usr/lib/chromium/locales/zh-CN.pak ]; } \
	    && fc-list :lang=zh 2>/dev/null | grep -q "Noto Serif CJK" && fc-list 2>/dev/null | grep -q "AR PL UKai" \
	    && fc-list 2>/dev/null | grep -q "Liberation Serif"; then \
	  echo "system packages: LibreOffice (Writer, Calc), poppler, qpdf, Chromium, CJK and Liberation fonts present"; \
	elif [ "$(CAN_APT)" = yes ]; then \
	  echo "system packages: installing $(DEB_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES) >/dev/null; \
	else \
	  echo "system packages: cannot install LibreOffice/fonts/Chromium here (not Debian, or no root/sudo); PDFs will be skipped"; \
	fi

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,dask]'
	touch $(STAMP)

demo: setup
	$(BIN)/award demo --out $(OUT)

lint: setup
	$(BIN)/ruff check pipeline tests samples bench
	$(BIN)/mypy pipeline

test: setup lint
	$(BIN)/award schema --check
	$(BIN)/python -m pipeline.messages_doc --check
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/check.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/certificates.py
	$(BIN)/python bench/fuzz.py --limited
	$(BIN)/python bench/faults.py
	$(BIN)/python bench/serve.py

samples: setup
	$(BIN)/python samples/make_samples.py
	$(BIN)/python samples/make_round.py
	$(BIN)/python samples/make_batch.py
	$(BIN)/python samples/make_platform.py

templates: setup
	$(BIN)/python templates/make_templates.py
	$(BIN)/python templates/make_certificate.py
	$(BIN)/python templates/make_review_templates.py
	$(BIN)/python templates/fonts/make_fonts_conf.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache *.egg-info
