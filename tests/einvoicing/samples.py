"""
The official EN 16931 samples vendored under `samples/` (see its README), and
a Factur-X PDF built from a CII one.
"""

import io
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "samples"


def sample_path(name: str) -> Path:
    """The path of a sample by file name ("ubl-tc434-example1.xml", "CII_example1.xml")."""
    folder = "cii" if name.startswith("CII") else "ubl"
    path = SAMPLES / folder / name
    if not path.is_file():
        raise FileNotFoundError(f"No vendored e-invoice sample named {name!r}")
    return path


def sample_bytes(name: str) -> bytes:
    return sample_path(name).read_bytes()


def all_samples() -> list[str]:
    """Every vendored sample's file name, UBL then CII."""
    return [
        path.name
        for folder in ("ubl", "cii")
        for path in sorted((SAMPLES / folder).glob("*.xml"))
    ]


def blank_pdf() -> bytes:
    """A one-page empty PDF (A4), made with pypdf."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def facturx_pdf(cii_xml: bytes) -> bytes:
    """A Factur-X PDF carrying `cii_xml` as its factur-x.xml, on a blank page."""
    from facturx import generate_from_binary

    return generate_from_binary(blank_pdf(), cii_xml, check_xsd=False)
