"""Every UI string, one module per view (zh first, en too); layouts/i18n.py assembles them and looks them up.

Split by view so the strings of one page sit in one file of a few hundred lines, named like the page's layout
(layouts/dispatch.py -> strings/dispatch.py). Nothing here is imported directly by a page: pages and callbacks use
layouts.i18n (t, bundle), which also checks that no key is defined in two modules.
"""
