#!/usr/bin/env python3
"""Exclusive c14n 1.0 (without comments) of a subtree by lxml/libxml2, the reference our c14n.rs is
compared with. stdin: JSON {"xml", "path": [child element indexes from the root], "prefixes": [..]}.
"""
import json
import sys

from lxml import etree

req = json.load(sys.stdin)
el = etree.fromstring(req["xml"].encode())
for i in req["path"]:
    el = [c for c in el if isinstance(c.tag, str)][i]
prefixes = req["prefixes"] or None
sys.stdout.buffer.write(etree.tostring(el, method="c14n", exclusive=True, with_comments=False, inclusive_ns_prefixes=prefixes))
