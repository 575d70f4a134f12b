#!/bin/sh
# make_printed_pdf.sh -- spec/data/pdf/printed.pdf: two sample documents as a browser prints
# it (Debian's Chromium, headless, A4/Letter default margins): the date and the page's
# title at the head of each page, its address and `N/M` at the foot. Its paragraphs are
# spec/data/pdf/printed.txt, one a line, the text the test expects back.
#   tools/make_printed_pdf.sh   (needs chromium; run from the project root)
set -eu
src="corpus/seeds/2015-carnegie-digital-bromance.txt corpus/seeds/2019-aspi-sino-russian-high-tech-partnership.txt"
out=spec/data/pdf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# paragraphs of the source: blank-line separated, lines joined with one space
awk 'BEGIN { RS = ""; FS = "\n" } { s = $1; for (i = 2; i <= NF; i++) s = s " " $i; gsub(/  +/, " ", s); print s }' $src > "$out/printed.txt"
{
  printf '<html><head><meta charset="utf-8"><title>Digital partnership</title>'
  printf '<style>body{font:14pt serif;margin:2cm}p{margin:0 0 .6em}</style></head><body>\n'
  sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/^/<p>/' -e 's/$/<\/p>/' "$out/printed.txt"
  printf '</body></html>\n'
} > "$tmp/page.html"
chromium --headless --no-sandbox --disable-gpu --print-to-pdf="$out/printed.pdf" "file://$tmp/page.html" 2>/dev/null
ls -l "$out/printed.pdf"
