"""Write the hostile-input corpus beside this script; EXPECTED.json says what each file must give.

Run it again after changing a file (``python tests/fuzz_corpus/make_corpus.py``); output is deterministic
(gzip mtime 0). Every file is written by us: no third-party text.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
LONG = " ".join(f"w{i * 7919 % 1009}" for i in range(210_000))  # over 1,000,000 characters
BODY = "The harbour authority said the ferry would resume service on Monday after repairs to the ramp."


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def line(record: dict, ascii_only: bool = True) -> str:
    return json.dumps(record, ensure_ascii=ascii_only)


CORPUS: dict[str, bytes] = {
    "deep_nesting.jsonl.gz": gz(
        (line({"id": "deep-ok", "text": BODY}) + "\n" + '{"id": "deep", "text": "x", "x": ' + "[" * 50_000).encode()
    ),
    "huge_integer.jsonl": (line({"id": "int-ok", "text": BODY}) + "\n" + '{"id": ' + "9" * 5000 + "}").encode(),
    "lone_surrogates.jsonl": ('{"id": "sur\\ud800", "title": "T\\udfff", "text": "' + BODY + ' \\ud83d"}').encode(),
    "surrogate_in_html.jsonl": ('{"id": "sur-html", "html": "<html><body><article><p>\\ud800 ' + BODY
                                + '</p></article></body></html>"}').encode(),
    "line_separators.jsonl": line({"id": "sep", "text": BODY + "\u2028Second\u2029line\x85here."}, False).encode(),
    "bad_urls.jsonl": "\n".join(
        [line({"id": "url-ipv6", "text": BODY, "url": "http://[::1"}),
         line({"id": "url-js", "text": BODY, "url": "javascript:alert(document.cookie)"}),
         line({"id": "../../etc/passwd", "text": BODY, "url": " JaVaScRiPt:alert(1)"})]
    ).encode(),
    "blank_id.jsonl": line({"id": "   ", "text": BODY}).encode(),
    "binary_in_html_field.jsonl": "\n".join(
        [line({"id": "bin-html", "html": "\x01\x02\x03\x04" * 50}), line({"id": "bin-ok", "text": BODY})]
    ).encode(),
    "bom_only.jsonl": b"\xfe\xff",
    "hostile_dates.jsonl": "\n".join(
        [line({"id": "d-nan", "text": BODY, "published": float("nan")}),
         line({"id": "d-inf", "text": BODY, "published": 1e400}),
         line({"id": "d-max", "text": BODY, "published": "9999-12-31T23:59:59-23:59"}),
         line({"id": "d-min", "text": BODY, "published": "0001-01-01T00:00:00+14:00"})]
    ).encode(),
    "long_article.jsonl.gz": gz(line({"id": "long", "text": LONG}).encode()),
    "blank_lines.jsonl.gz": gz(b"\n" * 20_000 + line({"id": "after-blanks", "text": BODY}).encode()),
    "dots.txt.gz": gz(b"A title\n\n" + b"." * 100_000 + b" The end of a long wait."),
    "no_spaces.txt.gz": gz(b"a" * 900_000),
    "crlf_flood.txt.gz": gz(b"\r" * 100_000 + BODY.encode()),
    "control_chars.txt": ("\x1b[31mRED\x1b[0m \u202egnp.exe\u202c " + BODY + " \x07\x08").encode(),
    "bomb.txt.gz": gz(b"a" * 20_000_000),
    "truncated.txt.gz": gz((BODY * 200).encode())[:-10],
    "not_gzip.txt.gz": b"\x1f\x8b" + b"not really gzip at all" * 10,
    "plain_named_gz.txt.gz": BODY.encode(),
    "nul_bytes.txt": b"\x00\x01\x02\x03" * 256,
    "empty.txt": b"",
    "whitespace_only.txt": b" \n\t\r\n \x0c",
    "deep_divs.html.gz": gz(b"<html><body>" + b"<div>" * 100_000 + ("<p>" + BODY + "</p>").encode()),
    "iframe_root.html": b"<iframe>HTML",  # crashed htmldate's cleaner (lxml drop_tree on the root)
    "script_only.html": b"<html><head><script>" + b"var x = 1;" * 1000 + b"</script></head><body></body></html>",
    "utf7_page.html": (
        b'<html><head><meta charset="utf-7"></head><body><article><p>+ADw-script+AD4-alert(1)+ADw-/script+AD4- '
        + BODY.encode() + b"</p></article></body></html>"
    ),
    "billion_laughs.xml": (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
            for i in range(1, 10)
        )
        + b']>\n<rss version="2.0"><channel><title>t</title><item><title>&lol9;</title>'
        + b"<description>&lol9;</description><link>https://a.example/1</link></item></channel></rss>"
    ),
    "external_entity.xml": (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<rss version="2.0"><channel><title>t</title><item><title>Leak</title><description>&xxe; '
        + BODY.encode() + b"</description><link>https://a.example/2</link></item></channel></rss>"
    ),
    "garbage.warc": b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 999999999\r\n\r\n" + b"\xff" * 64,
}


def main() -> None:
    for name, data in CORPUS.items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(CORPUS)} files to {HERE}")


if __name__ == "__main__":
    main()
