#!/usr/bin/env python3
"""Exclusive c14n 1.0 (without comments) by lxml/libxml2 of every *.xml file in a directory: the
reference that saml-xmlsec's c14n is compared with (tests/c14n_lxml.rs).

Usage: c14n_corpus.py DIR. A file NAME.xml may have a sidecar NAME.json {"path": [child element
indexes from the root], "prefixes": [InclusiveNamespaces PrefixList]}; default: the root element,
no prefixes. Prints one JSON object: {"NAME.xml": {"c14n": base64} | {"error": "..."}}.
"""
import base64
import json
import os
import sys

from lxml import etree


def canonical(path):
    with open(path, "rb") as f:
        data = f.read()
    args = {"path": [], "prefixes": []}
    sidecar = path[:-4] + ".json"
    if os.path.exists(sidecar):
        with open(sidecar) as f:
            args.update(json.load(f))
    # No DTD, no network, no entity expansion beyond the predefined ones (as our parser).
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    el = etree.fromstring(data, parser)
    for i in args["path"]:
        el = [c for c in el if isinstance(c.tag, str)][i]
    prefixes = args["prefixes"] or None
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=False, inclusive_ns_prefixes=prefixes)


def main():
    directory = sys.argv[1]
    out = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".xml"):
            continue
        try:
            out[name] = {"c14n": base64.b64encode(canonical(os.path.join(directory, name))).decode()}
        except Exception as e:  # noqa: BLE001 - reported per file, the Rust side decides
            out[name] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
