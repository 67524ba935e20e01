"""Files for upload tests: a real PDF, a real picture, and impostors."""

from __future__ import annotations

import io


def real_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def real_png(size=(40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


#: Starts like a PDF, is not one.
FAKE_PDF = b"%PDF-1.7\n<script>alert(1)</script>\n" + b"x" * 200
#: An HTML page named .pdf.
HTML_AS_PDF = b"<!doctype html><script>alert(1)</script>"
