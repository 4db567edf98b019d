"""Draw the bundled sample seal samples/assets/seal-sample.png: a red ring, 上海市质量协会 along the arc, a star,
and 样章 ("sample seal") in the middle, as the call requires of the bundled seal. Same fonts, same bytes.

    python samples/make_seal.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.fileio import write_bytes  # noqa: E402
from pipeline.render.fonts import font_face_for  # noqa: E402

TARGET = ROOT / "samples" / "assets" / "seal-sample.png"
SIZE = 600                      # pixels; printed at 42 mm this is about 360 dpi
RED = (214, 0, 18, 235)         # seal red, slightly transparent so the signer's line shows through
ARC_TEXT = "上海市质量协会"
CENTRE_TEXT = "样章"


def _font(size: int) -> ImageFont.FreeTypeFont:
    face = font_face_for("方正小标宋简体")  # a heavy Song face, like the engraved characters of a real seal
    return ImageFont.truetype(str(face.path), size, index=face.index)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, outer: float) -> None:
    inner = outer * 0.382  # the regular five-pointed star
    points = []
    for k in range(10):
        r = outer if k % 2 == 0 else inner
        a = math.radians(-90 + 36 * k)
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(points, fill=RED)


def _arc_text(img: Image.Image, text: str, radius: float, span_deg: float, size: int) -> None:
    font = _font(size)
    c = SIZE / 2
    n = len(text)
    for i, ch in enumerate(text):
        theta = -span_deg / 2 + span_deg * i / (n - 1)  # degrees clockwise from the top
        tile = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((size, size), ch, font=font, fill=RED, anchor="mm")
        tile = tile.rotate(-theta, resample=Image.Resampling.BICUBIC)
        x = c + radius * math.sin(math.radians(theta))
        y = c - radius * math.cos(math.radians(theta))
        img.alpha_composite(tile, (round(x - size), round(y - size)))


def draw() -> Image.Image:
    """The seal as an RGBA image."""
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((12, 12, SIZE - 12, SIZE - 12), outline=RED, width=18)
    _arc_text(img, ARC_TEXT, radius=205, span_deg=230, size=86)
    _star(d, SIZE / 2, SIZE / 2 - 10, 92)
    d.text((SIZE / 2, SIZE / 2 + 150), CENTRE_TEXT, font=_font(96), fill=RED, anchor="mm")
    return img


def png_bytes() -> bytes:
    """The seal as PNG bytes (no time stamp or other varying chunk)."""
    import io

    out = io.BytesIO()
    draw().save(out, format="PNG", optimize=True)
    return out.getvalue()


if __name__ == "__main__":
    write_bytes(TARGET, png_bytes())
    print(f"wrote {TARGET.relative_to(ROOT)}")
