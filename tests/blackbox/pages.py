"""Small HTML helpers for the black-box tests (stdlib only)."""
import html
import re


def links(page, prefix=""):
    """Every href in the page starting with prefix, in order."""
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page) if h.startswith(prefix)]


def article_links(page):
    """Links shaped like /<category>/<slug>/ (articles)."""
    out = []
    for h in links(page, "/"):
        if re.fullmatch(r"/[a-z0-9-]+/[a-z0-9-]+/", h) and not re.match(
                r"/(category|tag|author|static|media|ad|feed)/", h):
            out.append(h)
    return out


def section(page, heading):
    """The HTML of the <section> whose h2 says `heading`."""
    m = re.search(r'<section[^>]*>\s*<h2[^>]*>' + re.escape(heading) + r'</h2>(.*?)</section>',
                  page, re.S)
    return m.group(1) if m else None


def text(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()
