#!/usr/bin/env bash
# Related News quality: precision@5 on the labelled BBC corpus (2,225 articles in 5 topics),
# imported with no category information, so only the text can relate two articles.
#
#   bench/related_quality.sh [--no-rerank]
#
# Each list is re-ranked by shared neighbours, as a publish, `bench-data --related` and
# `dateline demo` store them; --no-rerank measures the cosine order alone.
#
# Each article's topic is kept in its first tag ("<topic> topic N"), which Related News
# never reads (it uses the headline, dek and body through the full-text index).
# Precision@5 = the share of each article's top 5 related articles with the same topic.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh build-release -Dbuildtype=release -Db_ndebug=true >/dev/null
db=$(mktemp -d /tmp/dateline-related.XXXXXX)/bbc.db
trap 'rm -rf "$(dirname "$db")"' EXIT
start=$(date +%s.%N)
build-release/dateline bench-data --db "$db" --articles 0 --no-categories --related "$@" >/dev/null 2>&1
n=$(sqlite3 "$db" "SELECT COUNT(*) FROM articles")
secs=$(echo "$(date +%s.%N) - $start" | bc)
sqlite3 "$db" "
WITH topic AS (
  SELECT x.article_id AS id, substr(t.name, 1, instr(t.name, ' ') - 1) AS topic
  FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.position = 0
)
SELECT printf('precision@5 %.4f over %d articles (%d related pairs)',
              AVG(a.topic = b.topic), COUNT(DISTINCT r.article_id), COUNT(*))
FROM article_related r JOIN topic a ON a.id = r.article_id JOIN topic b ON b.id = r.related_id
WHERE r.position < 5;"
echo "import + Related News for $n articles: ${secs} s"
