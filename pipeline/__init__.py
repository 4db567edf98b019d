"""award-pipeline: award calls from first draft to framed certificate."""

__version__ = "0.1.0"
TOOL_NAME = "award-pipeline"
