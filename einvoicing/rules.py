"""
The official EN 16931 business rules (CEN/TC 434's Schematron compiled to
XSLT, vendored in `einvoicing/rules/`), run with SaxonC-HE (`saxonche`).

`validate` returns every rule a document fails, fatal or warning;
`check` refuses a document that fails a fatal rule (`EInvoiceInvalid`) and
returns its warnings, which the caller keeps and shows.

The stylesheets (0.7 and 0.9 MB) take about a second to compile, a document
about 5 to 15 ms to validate: they are compiled once per process, at first
use or at `warm_up()` (the import command and the Lambda handler call it
at start). The processor and the compiled stylesheets are used by one
thread of the process only, which every validation hands its document to
(and waits for): saxonche documents `PyXsltExecutable` as not thread-safe,
and SaxonC 13.1.1's native runtime kills the whole process (a
StackOverflowError, "wrong IsolateThread") when a node it parsed is read
from a thread not attached to it, so a lock around shared objects is not
enough. One thread costs no throughput: saxonche holds the GIL during a
transform, so per-thread clones would not run in parallel anyway (measured:
four threads with clones no faster than four taking turns). Saxon's native
runtime (a GraalVM image) does not survive a fork once it has started: a
child using it, or only freeing the parent's objects, crashed in GraalVM's
garbage collector ("GC must not encounter unknown frames") now and then. So
Saxon is started in the process that validates (`warm_up()` there; gunicorn
runs without `preload_app`), and a child forked after its parent started
Saxon refuses to validate with an error saying so, instead of crashing at
random; the parent's objects are kept, never freed, in the child.

Nothing reaches Saxon but the document's text: it is given as a string,
never as a path or URL, and the processor refuses any DOCTYPE (so no entity
is declared, let alone expanded) and may open no URI of any scheme, so
neither the document nor a stylesheet can make it read a file or fetch
anything. (`einvoicing.reading` refuses a DOCTYPE before this; this is the
second lock on the door.) The stylesheets call `document-uri(/)`, which is
simply empty for a document parsed from text.
"""

import codecs
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from lxml import etree

from core.errors import ValidationFailed
from einvoicing.document import EInvoiceInvalid, RuleResult, Syntax

T = TypeVar("T")

RULES_DIR = Path(__file__).resolve().parent / "rules"

# A small document of each syntax, run at warm-up so that the first real
# document does not pay for Saxon's first transform (twice the usual time).
_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
_WARM_UP_DOCUMENTS = {
    Syntax.UBL: f"<Invoice xmlns='{_UBL}Invoice-2'"
    f" xmlns:cac='{_UBL}CommonAggregateComponents-2'"
    f" xmlns:cbc='{_UBL}CommonBasicComponents-2'>"
    + "<cac:InvoiceLine><cbc:ID>1</cbc:ID>"
    "<cbc:LineExtensionAmount currencyID='EUR'>1.00</cbc:LineExtensionAmount>"
    "</cac:InvoiceLine>" * 3 + "</Invoice>",
    Syntax.CII: "<rsm:CrossIndustryInvoice"
    " xmlns:rsm='urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100'"
    " xmlns:ram='urn:un:unece:uncefact:data:standard:"
    "ReusableAggregateBusinessInformationEntity:100'>"
    "<rsm:SupplyChainTradeTransaction>"
    + "<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument>"
    "<ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>"
    "</ram:IncludedSupplyChainTradeLineItem>"
    * 3
    + "</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>",
}

STYLESHEETS = {
    Syntax.UBL: RULES_DIR / "EN16931-UBL-validation.xslt",
    Syntax.CII: RULES_DIR / "EN16931-CII-validation.xslt",
}

SVRL = "http://purl.oclc.org/dsdl/svrl"

# The document elements each stylesheet is written for (EQNames, as Saxon
# names them). Another root passes a stylesheet's rules without one failure
# (none of them applies), so it is refused instead.
ROOTS = {
    Syntax.UBL: {
        f"Q{{{_UBL}Invoice-2}}Invoice",
        f"Q{{{_UBL}CreditNote-2}}CreditNote",
    },
    Syntax.CII: {
        "Q{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}"
        "CrossIndustryInvoice"
    },
}
_ELEMENT = 1  # saxonche's node kind of an element

# Saxon's configuration features (SaxonC takes their URIs as property names).
_SAXON_SETTINGS = {
    # An empty list of protocols: no URI of any scheme may be dereferenced
    # (external entities, DTDs, doc(), document(), unparsed-text()).
    "http://saxon.sf.net/feature/allowedProtocols": "",
    # Passed on to the XML parser: a DOCTYPE is an error, so neither an
    # external nor an internal entity (billion laughs) is ever declared.
    "http://saxon.sf.net/feature/parserFeature?uri="
    "http%3A//apache.org/xml/features/disallow-doctype-decl": "true",
}

_DECLARED_ENCODING = re.compile(
    rb"""<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']"""
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WHITESPACE = re.compile(r"\s+")
_SVRL_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
)


class _Saxon:
    """One process's Saxon processor and its compiled stylesheets."""

    def __init__(self):
        import saxonche  # its native runtime starts on import: only when needed

        self.processor = saxonche.PySaxonProcessor(license=False)
        for name, value in _SAXON_SETTINGS.items():
            self.processor.set_configuration_property(name, value)
        self.compiler = self.processor.new_xslt30_processor()
        self.executables = {}
        self.compile_seconds = {}

    def executable(self, syntax: Syntax):
        if syntax not in self.executables:
            started = time.perf_counter()
            # From text: the compiler opens no file of its own (URIs are off).
            executable = self.compiler.compile_stylesheet(
                stylesheet_text=STYLESHEETS[syntax].read_text(encoding="utf-8")
            )
            # The SVRL is read by lxml, not by a person: no indentation.
            executable.set_property("!indent", "no")
            self.executables[syntax] = executable
            self.compile_seconds[syntax] = time.perf_counter() - started
        return self.executables[syntax]

    def transform(self, *, text: str, syntax: Syntax) -> str:
        executable = self.executable(syntax)
        # The processor's parser: no DTD validation, a DOCTYPE refused.
        node = self.processor.parse_xml(xml_text=text)
        root = next(
            (child.name for child in node.children if child.node_kind == _ELEMENT),
            None,
        )
        if root not in ROOTS[syntax]:
            raise ValidationFailed(
                f"The e-invoice's root element {root} is not that of a "
                f"{syntax.name} invoice or credit note, so its EN 16931 rules "
                "cannot be checked."
            )
        return executable.transform_to_string(xdm_node=node)


_lock = threading.Lock()
_thread: ThreadPoolExecutor | None = None
_saxon: _Saxon | None = None
_inherited: list[_Saxon] = []  # a parent's, kept so no destructor calls GraalVM

FORKED_MESSAGE = (
    "Saxon was started before this process was forked, and its native runtime "
    "does not survive a fork: start it in the process that validates "
    "(einvoicing.rules.warm_up() after the fork; no gunicorn preload_app)."
)


def _reset_after_fork() -> None:
    global _lock, _thread, _saxon
    _lock = threading.Lock()
    _thread = None  # its thread was not copied into the child
    if _saxon is not None:
        _inherited.append(_saxon)
    _saxon = None


os.register_at_fork(after_in_child=_reset_after_fork)


def _on_saxon_thread(work: Callable[[_Saxon], T]) -> T:
    """Run `work` with this process's Saxon, on the one thread that uses it."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="saxon")
        thread = _thread
    return thread.submit(lambda: work(_process_saxon())).result()


def _process_saxon() -> _Saxon:
    """Return this process's Saxon, starting it on first use (Saxon's thread)."""
    global _saxon
    if _inherited:
        raise RuntimeError(FORKED_MESSAGE)
    if _saxon is None:
        _saxon = _Saxon()
    return _saxon


def warm_up() -> dict[Syntax, float]:
    """
    Compile both stylesheets now, not at the first document; return the
    seconds each compilation took in this process.
    """

    def compile_both(saxon: _Saxon) -> dict[Syntax, float]:
        for syntax in Syntax:
            if syntax not in saxon.executables:
                saxon.transform(text=_WARM_UP_DOCUMENTS[syntax], syntax=syntax)
        return dict(saxon.compile_seconds)

    return _on_saxon_thread(compile_both)


def validate(*, xml: bytes, syntax: Syntax) -> tuple[RuleResult, ...]:
    """Return every EN 16931 rule the document fails, fatal and warning."""
    text = _xml_text(xml)

    def transform(saxon: _Saxon) -> str:
        try:
            return saxon.transform(text=text, syntax=syntax)
        except _saxon_error() as error:
            raise ValidationFailed(
                "The e-invoice could not be checked against the EN 16931 rules: "
                f"its XML is not well-formed or declares a DOCTYPE ({_first_line(error)})."
            ) from error

    return _rule_results(_on_saxon_thread(transform))


def check(*, xml: bytes, syntax: Syntax) -> tuple[RuleResult, ...]:
    """
    Refuse a document that fails a fatal EN 16931 rule (EInvoiceInvalid,
    naming every failed rule); return its warnings otherwise.
    """
    results = validate(xml=xml, syntax=syntax)
    failures = tuple(result for result in results if result.fatal)
    warnings = tuple(result for result in results if not result.fatal)
    if failures:
        raise EInvoiceInvalid(failures, warnings)
    return warnings


def _xml_text(xml: bytes) -> str:
    """
    Decode the document as its byte order mark or XML declaration says
    (UTF-8 when neither does): Saxon is given text, so it reads no
    encoding declaration itself.
    """
    encoding = next((name for bom, name in _BOMS if xml.startswith(bom)), None)
    if encoding is None:
        declared = _DECLARED_ENCODING.match(xml[:200])
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return xml.decode(encoding)
    except (LookupError, UnicodeDecodeError) as error:
        raise ValidationFailed(
            f"The e-invoice's XML cannot be decoded as {encoding}: {error}."
        ) from error


def _rule_results(svrl: str) -> tuple[RuleResult, ...]:
    root = etree.fromstring(svrl.encode("utf-8"), _SVRL_PARSER)
    results = []
    for element in root.iter(
        f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"
    ):
        rule_id = element.get("id") or ""
        text_element = element.find(f"{{{SVRL}}}text")
        text = "" if text_element is None else "".join(text_element.itertext())
        results.append(
            RuleResult(
                rule_id=rule_id,
                flag=element.get("flag") or "fatal",
                text=_rule_text(text, rule_id),
                location=element.get("location"),
            )
        )
    return tuple(results)


def _rule_text(text: str, rule_id: str) -> str:
    """
    The rule's text on one line, without the "[BR-CO-15]-" the official
    texts start with: the id is shown beside it already ("BR-CO-15: ...").
    """
    text = _WHITESPACE.sub(" ", text).strip()
    prefix = f"[{rule_id}]"
    if rule_id and text.startswith(prefix):
        text = text[len(prefix) :].lstrip(" -")
    return text


def _saxon_error() -> type[Exception]:
    from saxonche import PySaxonApiError

    return PySaxonApiError


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
