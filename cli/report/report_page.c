/* report_page.c — the report's page: head and style sheet, the sections in order, and the atomic
 * write. Everything is inline: the page opens offline and fetches nothing. */
#include "report/report_page.h"

#include "common/cli_error.h"
#include "report/report_html.h"
#include "report/report_inspect.h"
#include "report/report_regression.h"
#include "report/report_sections.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char STYLE[] =
    "body{font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;"
    "color:#1a1a1a;background:#fff;margin:0}\n"
    "main{max-width:1120px;margin:0 auto;padding:12px 24px 48px}\n"
    "h1{font-size:1.6em;margin:.4em 0 .1em}\n"
    "h2{font-size:1.25em;border-bottom:2px solid #1f4e79;padding-bottom:2px;margin-top:1.8em}\n"
    "h3{font-size:1.05em;margin:1.1em 0 .3em}\n"
    ".sub{color:#333;margin:.1em 0}\n"
    "nav{margin:.6em 0 0}nav a{margin-right:1.1em;color:#1f4e79}\n"
    "svg{max-width:100%;height:auto;display:block}\n"
    "svg text{font-family:inherit;fill:#1a1a1a}\n"
    ".figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:18px 28px;"
    "align-items:start}\n"
    "figure{margin:0}figcaption{font-size:.9em;color:#333;margin-top:4px}\n"
    ".pair{display:flex;flex-wrap:wrap;gap:18px 32px;align-items:flex-start}"
    ".pair>figure{flex:0 1 auto;min-width:0}.pair>.numbers{flex:1 1 380px}\n"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:.6em 0}\n"
    "th,td{border-bottom:1px solid #ccc;padding:3px 10px;text-align:right;vertical-align:top}\n"
    "th{background:#eef2f7}.text{text-align:left}.settings td{overflow-wrap:anywhere}\n"
    ".note{color:#333;font-size:.93em}\n"
    ".tick{font-size:12px;fill:#333}.axis-label{font-size:13px;font-weight:600}\n"
    ".legend{font-size:12px}.label,.value{font-size:12.5px}.strong{font-weight:700}\n"
    ".axis{stroke:#333;stroke-width:1}.grid{stroke:#ddd;stroke-width:1}\n"
    ".c0{stroke:#1f4e79;fill:#1f4e79}.c1{stroke:#c55a11;fill:#c55a11}"
    ".c2{stroke:#548235;fill:#548235}.c3{stroke:#7030a0;fill:#7030a0}\n"
    ".line{fill:none;stroke-width:2.2}.line.dash{stroke-dasharray:7 4}\n"
    ".m{stroke-width:1.4}.m.hollow{fill:#fff}\n"
    ".band{fill:#1f4e79;fill-opacity:.16;stroke:none}.band.hatch{fill:url(#dn-hatch);fill-opacity:1}\n"
    ".bar{fill:#1f4e79}.bar.neg{fill:#7fa7d1}.bars .bar{fill:#a9c8e8}.bars .bar.strong{fill:#1f4e79}\n"
    ".bar-track{fill:#f0f0f0}\n"
    ".cell{stroke:#fff;stroke-width:1}.cell.diag{stroke:#000;stroke-width:1.5}\n"
    ".count{font-size:12px}.count.on-dark{fill:#fff}\n"
    ".kept{fill:#fff}.dropped{fill:#111}.frame{fill:none;stroke:#333}"
    ".cell-line{stroke:#bbb;stroke-width:.5}\n"
    ".stage rect{fill:#fff;stroke:#1f4e79;stroke-width:2}.stage.input rect{stroke-dasharray:6 3}"
    ".stage.dropout rect{fill:#fdf4ee;stroke:#c55a11;stroke-dasharray:2 3}\n"
    ".stage .name{font-weight:700;font-size:13px}.stage .detail{font-size:12px}"
    ".flow{stroke:#333;stroke-width:1.6;fill:none}\n"
    ".example{border:1px solid #ccc;border-radius:6px;padding:6px 16px 12px;margin:14px 0}\n"
    ".example ol{padding-left:1.4em}.example li{margin:.45em 0}\n"
    ".example .row{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-size:.9em}\n"
    ".verdict-correct{font-weight:700}.verdict-wrong{font-weight:700;text-decoration:underline}\n"
    "pre{background:#f4f4f4;padding:8px 12px;white-space:pre-wrap;overflow-wrap:anywhere}\n"
    "@media print{nav{display:none}h2{break-after:avoid}figure,.example{break-inside:avoid}}\n";

/* Patterns and the arrow head, shared by every figure (ids are page-wide). Kept out of <main> so
 * the self-check below counts only real figures. */
static const char DEFS[] =
    "<svg class=\"dn-defs\" width=\"0\" height=\"0\" aria-hidden=\"true\" "
    "style=\"position:absolute\"><defs>\n"
    "<pattern id=\"dn-hatch\" patternUnits=\"userSpaceOnUse\" width=\"7\" height=\"7\" "
    "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\" stroke=\"#c55a11\" "
    "stroke-width=\"2.2\" stroke-opacity=\".55\"/></pattern>\n"
    "<marker id=\"dn-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
    "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#333\"/>"
    "</marker>\n</defs></svg>\n";

/* Optional: measures the figures for the automated browser test (tests/test_report.c). The page
 * needs no script; this one only fills a hidden element. */
static const char SELF_CHECK[] =
    "<pre id=\"dn-selfcheck\" hidden></pre>\n<script>\n(function () {\n"
    "  var svgs = document.querySelectorAll('main svg'), empty = 0;\n"
    "  for (var i = 0; i < svgs.length; ++i) {\n"
    "    var b = svgs[i].getBoundingClientRect();\n"
    "    if (!(b.width > 0 && b.height > 0)) ++empty;\n  }\n"
    "  var wide = document.documentElement.scrollWidth > window.innerWidth ? 1 : 0;\n"
    "  var fetched = performance.getEntriesByType ? performance.getEntriesByType('resource').length : 0;\n"
    "  document.getElementById('dn-selfcheck').textContent = 'selfcheck svgs=' + svgs.length +\n"
    "    ' empty=' + empty + ' overflow=' + wide + ' fetched=' + fetched;\n})();\n</script>\n";

static void head(FILE *out, const cli_report *r) {
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", out);
    cli_html_printf(out, "dropnet %s report", r->command);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n%s<main>\n", STYLE, DEFS);
}

static void header(FILE *out, const cli_report *r) {
    fputs("<header>\n<h1>", out);
    cli_html_printf(out, "dropnet %s: what happened in this run", r->command);
    fputs("</h1>\n<p class=\"sub\">", out);
    cli_html_text(out, r->data_text);
    fprintf(out, "</p>\n<p class=\"sub\">dropnet %s · seed %llu · every number on this page comes "
                 "from the run</p>\n", dn_version(), (unsigned long long)dn_model_seed(r->model));
    fputs("<nav><a href=\"#pipeline\">Pipeline</a><a href=\"#training\">Training</a>"
          "<a href=\"#mask\">Dropout mask</a>", out);
    fputs(r->target ? "<a href=\"#regression\">Regression metrics</a>"
                      "<a href=\"#predicted\">Predicted vs actual</a>"
                    : "<a href=\"#predictions\">Predictions</a><a href=\"#confusion\">Confusion</a>",
          out);
    fputs("<a href=\"#weights\">Weights</a><a href=\"#reproduce\">Reproduce</a></nav>\n"
          "</header>\n", out);
}

static dn_status write_page(FILE *out, void *context, dn_error *err) {
    const cli_report *r = context;
    head(out, r);
    header(out, r);
    cli_report_section_pipeline(out, r);
    cli_report_section_training(out, r);
    cli_report_section_masks(out, r);
    dn_status st = DN_OK;
    if (r->target != NULL) { /* regression: errors in the target's units, not classes */
        cli_report_section_regression_epochs(out, r);
        st = cli_report_section_regression_rows(out, r, err);
    } else {
        st = cli_report_section_predictions(out, r, err);
        if (st == DN_OK) st = cli_report_section_confusion(out, r, err);
    }
    if (st != DN_OK) return st;
    cli_report_section_weights(out, r);
    cli_report_section_settings(out, r);
    fprintf(out, "</main>\n%s</body>\n</html>\n", SELF_CHECK);
    errno = 0;
    if (fflush(out) != 0 || ferror(out)) {
        if (err) {
            err->status = DN_ERR_IO;
            snprintf(err->message, sizeof err->message, "write error: %s",
                     errno ? strerror(errno) : "unknown cause");
        }
        return DN_ERR_IO;
    }
    return DN_OK;
}

int cli_report_write(const cli_report *r, const char *path) {
    dn_error err = {.status = DN_OK, .message = "out of memory"};
    if (dn_write_file_atomic(path, write_page, (void *)r, &err) != DN_OK)
        return cli_error(-1, "report %s: %s", path, err.message);
    return 0;
}
