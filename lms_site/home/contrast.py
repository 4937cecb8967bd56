"""Colour contrast as WCAG 2.1 defines it (success criterion 1.4.3, "Contrast (Minimum)").

Pure functions on ``#RRGGBB`` strings: no Django, so a form, a model's ``clean``, a test and a script
all compute the same ratio.

- ``relative_luminance``: each sRGB channel linearised (``c/12.92`` up to 0.04045, else
  ``((c+0.055)/1.055)**2.4``), then ``0.2126 R + 0.7152 G + 0.0722 B``;
- ``contrast_ratio``: ``(lighter + 0.05) / (darker + 0.05)``, from 1 (the same colour) to 21 (black on
  white). Level AA asks 4.5 for body text (``AA_TEXT``).
"""

import re

AA_TEXT = 4.5
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def is_hex_colour(value: str) -> bool:
    return HEX_COLOUR.fullmatch(value or "") is not None


def channels(colour: str) -> tuple[int, int, int]:
    """``#RRGGBB`` as three 0–255 integers (ValueError for anything else)."""
    if not is_hex_colour(colour):
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (_linear(c) for c in channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(one: str, other: str) -> float:
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def darker(colour: str, factor: float = 0.73) -> str:
    """The colour with each channel scaled by ``factor`` (hover states: the default #0b4f8a gives the
    stylesheet's #083a66). Darker never lowers the contrast with white."""
    return "#" + "".join(f"{round(c * factor):02x}" for c in channels(colour))
