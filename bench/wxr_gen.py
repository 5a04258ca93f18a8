#!/usr/bin/env python3
"""Write a WXR 1.2 export of N block-editor posts (10 categories, 200 tags, 4 authors),
shaped like wordpress-6.1-export-2000-posts.xml, to stdout. Deterministic.

    bench/wxr_gen.py N > export.xml
"""
import random
import sys

WORDS = ("city council budget minister vote market report storm season league health school"
         " river bridge court election energy water housing transport police hospital art"
         " music festival science study data growth trade union strike museum coast farm").split()


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def main():
    n = int(sys.argv[1])
    rng = random.Random(7)
    out = sys.stdout
    cats = [f"section-{i}" for i in range(10)]
    tags = [f"topic-{i}" for i in range(200)]
    out.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0"'
              ' xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"'
              ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
              ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
              ' xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>Bench</title>\n'
              '<wp:wxr_version>1.2</wp:wxr_version>\n'
              '<wp:base_site_url>http://old.example.org</wp:base_site_url>\n')
    for a in range(4):
        out.write(f"<wp:author><wp:author_login><![CDATA[writer{a}]]></wp:author_login>"
                  f"<wp:author_email>writer{a}@example.org</wp:author_email>"
                  f"<wp:author_display_name><![CDATA[Writer {a}]]></wp:author_display_name>"
                  "</wp:author>\n")
    for c in cats:
        out.write(f"<wp:category><wp:category_nicename>{c}</wp:category_nicename>"
                  f"<wp:cat_name><![CDATA[{c.title()}]]></wp:cat_name></wp:category>\n")
    for t in tags:
        out.write(f"<wp:tag><wp:tag_slug>{t}</wp:tag_slug>"
                  f"<wp:tag_name><![CDATA[{t.title()}]]></wp:tag_name></wp:tag>\n")
    for i in range(1, n + 1):
        title = words(rng, 8).capitalize()
        slug = f"{title.lower().replace(' ', '-')}-{i}"
        day = 1 + i % 28
        month = 1 + (i // 28) % 12
        date = f"2023-{month:02d}-{day:02d} {i % 24:02d}:{i % 60:02d}:00"
        paras = "\n\n".join(f"<!-- wp:paragraph -->\n<p>{words(rng, 60).capitalize()}.</p>\n"
                            "<!-- /wp:paragraph -->" for _ in range(6))
        c = cats[i % 10]
        t1, t2 = tags[(i * 7) % 200], tags[(i * 13) % 200]
        out.write(f"<item><title><![CDATA[{title}]]></title>"
                  f"<link>http://old.example.org/2023/{month:02d}/{slug}/</link>"
                  f"<dc:creator><![CDATA[writer{i % 4}]]></dc:creator>"
                  f'<guid isPermaLink="false">http://old.example.org/?p={i}</guid>'
                  f"<content:encoded><![CDATA[{paras}]]></content:encoded>"
                  f"<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
                  f"<wp:post_id>{i}</wp:post_id><wp:post_date><![CDATA[{date}]]></wp:post_date>"
                  f"<wp:post_date_gmt><![CDATA[{date}]]></wp:post_date_gmt>"
                  f"<wp:post_name><![CDATA[{slug}]]></wp:post_name>"
                  "<wp:status><![CDATA[publish]]></wp:status>"
                  "<wp:post_type><![CDATA[post]]></wp:post_type>"
                  f'<category domain="category" nicename="{c}"><![CDATA[{c.title()}]]></category>'
                  f'<category domain="post_tag" nicename="{t1}"><![CDATA[{t1.title()}]]></category>'
                  f'<category domain="post_tag" nicename="{t2}"><![CDATA[{t2.title()}]]></category>'
                  "</item>\n")
    out.write("</channel>\n</rss>\n")


if __name__ == "__main__":
    main()
