"""What may be attached to roster mail: common documents and images, 10 MB in all, checked by their bytes.

A file is taken when its name ends in one of the extensions below AND its first
bytes are what that kind of file starts with (a PDF with `%PDF-`, a Word file
is a ZIP holding `word/`, a text file has no NUL or other control bytes and
reads as UTF-8 or Windows-1252). The type sent with the email is ours, from the
extension, never what the browser claimed.
"""
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MAX_TOTAL_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
ZIP = b"PK\x03\x04"
TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f"}


def _zip_names(data):
    """The names in a ZIP archive (its directory only: nothing is unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return []


def _is_docx(data):
    names = _zip_names(data)
    return "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)


def _is_xlsx(data):
    names = _zip_names(data)
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _is_odt(data):
    # An OpenDocument file's first entry is "mimetype", stored uncompressed, naming its kind.
    return data[30:38] == b"mimetype" and b"application/vnd.oasis.opendocument.text" in data[38:100]


def text_charset(data):
    """"utf-8" or "windows-1252" for text with no control bytes (tab and line ends aside), else None."""
    sample = data[:65536]
    for encoding, name in (("utf-8", "utf-8"), ("cp1252", "windows-1252")):
        try:
            text = sample.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(sample) - 3 and len(data) > len(sample):
                text = sample[:exc.start].decode("utf-8")  # a character cut by the sample's end
                break
    else:
        return None
    if any(unicodedata.category(c) == "Cc" and c not in TEXT_CONTROLS_ALLOWED for c in text):
        return None
    return name


def _is_text(data):
    return text_charset(data) is not None


# extension: (content type sent, check of the bytes)
KINDS = {
    "pdf": ("application/pdf", lambda d: d.startswith(b"%PDF-")),
    "png": ("image/png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             lambda d: d.startswith(ZIP) and _is_docx(d)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             lambda d: d.startswith(ZIP) and _is_xlsx(d)),
    "odt": ("application/vnd.oasis.opendocument.text", lambda d: d.startswith(ZIP) and _is_odt(d)),
    "txt": ("text/plain", _is_text),
    "csv": ("text/csv", _is_text),
}
ALLOWED_NAMES = _l("PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), PNG, JPEG, text (.txt) and CSV")


class Refused(Exception):
    """A file, or the files together, that may not be attached; `message` says why, for the person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Checked:
    filename: str
    content_type: str
    data: bytes


def clean_filename(filename):
    """The file's own name, without a path, control characters or surrounding dots and spaces."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[-200:]


def check(filename, data):
    """A Checked file, or Refused with the reason."""
    name = clean_filename(filename)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in KINDS:
        raise Refused(_("“%(name)s” cannot be attached: only %(kinds)s files can.", name=name or "?",
                        kinds=ALLOWED_NAMES))
    content_type, looks_right = KINDS[extension]
    if not data:
        raise Refused(_("“%(name)s” is empty.", name=name))
    if not looks_right(data):
        raise Refused(_("“%(name)s” is not really a .%(extension)s file (its contents say otherwise), so it "
                        "cannot be attached.", name=name, extension=extension))
    if content_type.startswith("text/"):  # a mail client reads it in the right encoding
        content_type = f'{content_type}; charset="{text_charset(data)}"'
    return Checked(name, content_type, data)


def check_total(sizes):
    """Refused when the files, with those already attached, pass the limits."""
    if len(sizes) > MAX_FILES:
        raise Refused(_("A message can carry at most %(count)d attachments.", count=MAX_FILES))
    if sum(sizes) > MAX_TOTAL_BYTES:
        raise Refused(too_large_message())


def too_large_message():
    return _("Attachments may add up to at most 10 MB. Nothing was saved: please attach smaller files, or "
             "share a link to large ones in the message.")
