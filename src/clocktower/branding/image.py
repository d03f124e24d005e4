"""What a logo must be: a real PNG or JPEG of sensible size, decoded once to prove it.

The bytes are read with Pillow (which fpdf2 brings): the format comes from the content,
never from the name or the declared type; a truncated or corrupt file fails to decode
here, not later inside a PDF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from clocktower.branding.errors import InvalidImage

MAX_BYTES = 512 * 1024
# Pixels per side: a logo needs far less, and decoding stays within a few MB.
MAX_SIDE = 2000
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


@dataclass(frozen=True)
class LogoImage:
    content_type: str
    width: int
    height: int


def check_logo(content: bytes) -> LogoImage:
    if not content:
        raise InvalidImage("The file is empty")
    try:
        with Image.open(io.BytesIO(content)) as image:
            content_type = CONTENT_TYPES.get(image.format or "")
            if content_type is None:
                raise InvalidImage(f"A logo is a PNG or JPEG image, not {image.format}")
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE:
                raise InvalidImage(f"A logo is at most {MAX_SIDE} x {MAX_SIDE} pixels")
            image.load()
    except InvalidImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise InvalidImage("The file is not a PNG or JPEG image") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise InvalidImage("The image is damaged and cannot be read") from None
    return LogoImage(content_type=content_type, width=width, height=height)
