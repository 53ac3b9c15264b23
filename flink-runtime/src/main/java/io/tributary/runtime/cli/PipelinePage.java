package io.tributary.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pipeline page: one self-contained HTML document (no file, script or font from elsewhere) that
 * {@code tributary graph --format html} writes and {@code tributary ui} serves.
 *
 * <p>The dataset graph is an SVG laid out here, in Java, from the plan's levels (a dataset's column
 * is one more than its furthest input's, so bronze, silver and gold stand left to right; within a
 * column, plan order): a pipeline is a small DAG whose order the plan already knows, so a columnar
 * layout is exact and needs no layout library, and nothing has to be vendored or fetched when the
 * page opens. Each node is a {@code <g class="node" data-name="…">}, each edge a {@code <path
 * class="edge" data-from="…" data-to="…">}.
 *
 * <p>The numbers (rows, states, durations, pass rates, updates, micro-batches) are drawn by the page's
 * script from {@link PipelineState}'s JSON, embedded in the page; served live, the script fetches it
 * again from {@code api/state} every {@value #LIVE_REFRESH_MS} ms while an update runs (every {@value
 * #IDLE_REFRESH_MS} ms otherwise, to see the next one start).
 */
final class PipelinePage {

  static final int LIVE_REFRESH_MS = 1000;
  static final int IDLE_REFRESH_MS = 5000;
  static final int NODE_HEIGHT = 64;
  static final int COLUMN_GAP = 90;
  static final int ROW_GAP = 28;
  static final int MARGIN = 16;

  private PipelinePage() {}

  /** The page for {@code state}; {@code live} makes its script refresh the data from the server. */
  static String render(ObjectNode state, boolean live) {
    String pipeline = state.path("pipeline").asText();
    return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Pipeline %1$s — Tributary</title>
        <style>
        %2$s
        </style>
        </head>
        <body data-live="%3$s">
        <header><h1>Pipeline <span id="pipeline">%1$s</span></h1><p id="summary"></p></header>
        <section><h2>Dataset graph</h2>
        %4$s
        </section>
        <section><h2>Tables</h2>
        <table id="tables"><thead><tr><th>Dataset</th><th>Kind</th><th>Rows</th><th>Delta version</th>\
        <th>Last run</th><th>Its duration</th><th>Rows it wrote</th></tr></thead><tbody></tbody></table>
        </section>
        <section><h2>Expectations (last update)</h2>
        <table id="expectations"><thead><tr><th>Dataset</th><th>Expectation</th><th>Passed</th><th>Failed</th>\
        <th>Pass rate</th></tr></thead><tbody></tbody></table>
        </section>
        <section><h2>Recent updates</h2>
        <table id="updates"><thead><tr><th>Update</th><th>State</th><th>Started</th><th>Duration</th>\
        <th>Error</th></tr></thead><tbody></tbody></table>
        </section>
        <section><h2>Micro-batches (last update)</h2>
        <table id="batches"><thead><tr><th>Flow</th><th>Dataset</th><th>Epoch</th><th>Committed</th><th>Rows</th>\
        <th>Dropped by expectations</th></tr></thead><tbody></tbody></table>
        </section>
        <script id="state" type="application/json">%5$s</script>
        <script>
        %6$s
        </script>
        </body>
        </html>
        """
        .formatted(
            html(pipeline),
            CSS,
            live,
            svg(state),
            scriptSafe(state.toString()),
            SCRIPT
                .replace("LIVE_REFRESH_MS", String.valueOf(LIVE_REFRESH_MS))
                .replace("IDLE_REFRESH_MS", String.valueOf(IDLE_REFRESH_MS)));
  }

  /** The graph: datasets in columns by level, edges as curves from an input's right to a reader's left. */
  static String svg(JsonNode state) {
    List<List<JsonNode>> columns = new ArrayList<>();
    int longest = 0;
    for (JsonNode dataset : state.path("datasets")) {
      int level = dataset.path("level").asInt();
      while (columns.size() <= level) {
        columns.add(new ArrayList<>());
      }
      columns.get(level).add(dataset);
      longest = Math.max(longest, dataset.path("name").asText().length());
    }
    int width = Math.max(160, longest * 8 + 28);
    Map<String, int[]> at = new HashMap<>();
    int rows = 0;
    for (int c = 0; c < columns.size(); c++) {
      for (int r = 0; r < columns.get(c).size(); r++) {
        at.put(
            columns.get(c).get(r).path("name").asText(),
            new int[] {MARGIN + c * (width + COLUMN_GAP), MARGIN + r * (NODE_HEIGHT + ROW_GAP)});
      }
      rows = Math.max(rows, columns.get(c).size());
    }
    int svgWidth =
        2 * MARGIN + columns.size() * width + Math.max(0, columns.size() - 1) * COLUMN_GAP;
    int svgHeight = 2 * MARGIN + rows * NODE_HEIGHT + Math.max(0, rows - 1) * ROW_GAP;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
                + " height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"dataset graph\">%n",
            svgWidth,
            svgHeight,
            svgWidth,
            svgHeight,
            svgWidth,
            svgHeight));
    svg.append(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\""
            + " markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>\n");
    for (JsonNode dataset : state.path("datasets")) {
      String to = dataset.path("name").asText();
      for (JsonNode input : dataset.path("inputs")) {
        String from = input.path("dataset").asText();
        int[] a = at.get(from);
        int[] b = at.get(to);
        if (a == null || b == null) {
          continue;
        }
        int x1 = a[0] + width;
        int y1 = a[1] + NODE_HEIGHT / 2;
        int x2 = b[0];
        int y2 = b[1] + NODE_HEIGHT / 2;
        int bend = Math.max(30, (x2 - x1) / 2);
        String mode = input.path("mode").asText();
        svg.append(
            String.format(
                Locale.ROOT,
                "<path class=\"edge %s\" data-from=\"%s\" data-to=\"%s\""
                    + " data-mode=\"%s\" d=\"M %d %d C %d %d, %d %d, %d %d\" marker-end=\"url(#arrow)\"><title>%s → %s"
                    + " (%s)</title></path>%n",
                html(mode),
                html(from),
                html(to),
                html(mode),
                x1,
                y1,
                x1 + bend,
                y1,
                x2 - bend,
                y2,
                x2,
                y2,
                html(from),
                html(to),
                html(mode)));
      }
    }
    for (JsonNode dataset : state.path("datasets")) {
      String name = dataset.path("name").asText();
      int[] p = at.get(name);
      String kind = dataset.path("kind").asText();
      svg.append(
          String.format(
              Locale.ROOT,
              "<g class=\"node %s\" data-name=\"%s\" transform=\"translate(%d %d)\">"
                  + "<rect width=\"%d\" height=\"%d\" rx=\"%d\"/>"
                  + "<text class=\"name\" x=\"12\" y=\"22\">%s</text>"
                  + "<text class=\"kind\" x=\"12\" y=\"40\">%s</text>"
                  + "<text class=\"stats\" x=\"12\" y=\"56\"></text></g>%n",
              kind.replace(' ', '-'),
              html(name),
              p[0],
              p[1],
              width,
              NODE_HEIGHT,
              kind.equals("view") ? 2 : 10,
              html(name),
              html(kind)));
    }
    svg.append("</svg>");
    return svg.toString();
  }

  static String html(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** JSON inside a script element: every {@code <} escaped, so nothing in the data can end or open one. */
  private static String scriptSafe(String json) {
    return json.replace("<", "\\u003c");
  }

  private static final String CSS =
      """
      body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #fafbfc; }
      h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
      #summary { color: #555; margin: 0; }
      table { border-collapse: collapse; background: #fff; }
      th, td { border: 1px solid #d8dde6; padding: 4px 10px; text-align: left; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; }
      #graph { background: #fff; border: 1px solid #d8dde6; }
      .node rect { fill: #eef4ff; stroke: #3d6fd8; stroke-width: 1.5; }
      .node.table rect { fill: #fff4e5; stroke: #d88a3d; }
      .node.view rect { fill: #f4f4f4; stroke: #888; stroke-dasharray: 4 3; }
      .node.state-FAILED rect { stroke: #c62828; stroke-width: 3; }
      .node.state-RUNNING rect, .node.state-STARTING rect { stroke: #2e7d32; stroke-width: 3; }
      .node .name { font-weight: 600; } .node .kind, .node .stats { font-size: 12px; fill: #555; }
      .edge { fill: none; stroke: #6b7385; stroke-width: 1.5; }
      .edge.snapshot { stroke-dasharray: 6 4; } .edge.lookup { stroke-dasharray: 2 4; }
      marker path { fill: #6b7385; }
      .state-COMPLETED { color: #2e7d32; } .state-FAILED { color: #c62828; } .state-RUNNING { color: #1565c0; }
      """;

  private static final String SCRIPT =
      """
      'use strict';
      const live = document.body.dataset.live === 'true';
      function seconds(ms) { return ms == null ? '' : (ms / 1000).toFixed(1) + ' s'; }
      function num(n) { return n == null ? '' : Number(n).toLocaleString('en-US'); }
      function cell(tr, text, cls) {
        const td = document.createElement('td');
        td.textContent = text == null ? '' : String(text);
        if (cls) { td.className = cls; }
        tr.appendChild(td);
        return td;
      }
      function fill(id, items, row) {
        const body = document.querySelector('#' + id + ' tbody');
        body.replaceChildren();
        for (const item of items) {
          const tr = document.createElement('tr');
          row(tr, item);
          body.appendChild(tr);
        }
        if (items.length === 0) {
          const tr = document.createElement('tr');
          const td = cell(tr, 'none');
          td.colSpan = document.querySelectorAll('#' + id + ' th').length;
          body.appendChild(tr);
        }
      }
      function render(state) {
        const last = state.updates[0];
        document.getElementById('summary').textContent = last
          ? 'Update ' + last.number + ' ' + last.state + (state.running ? ' (running, ' : ' (')
            + seconds(last.duration_ms) + ') · data as of ' + state.generated
          : 'No update yet · data as of ' + state.generated;
        for (const d of state.datasets) {
          const node = document.querySelector('#graph .node[data-name="' + CSS.escape(d.name) + '"]');
          if (!node) { continue; }
          const run = d.last_run;
          node.classList.forEach(c => { if (c.startsWith('state-')) { node.classList.remove(c); } });
          if (run && run.state) { node.classList.add('state-' + run.state); }
          node.querySelector('.stats').textContent = (d.rows == null ? '' : num(d.rows) + ' rows')
            + (run && run.state ? (d.rows == null ? '' : ' · ') + run.state : '');
        }
        fill('tables', state.datasets, (tr, d) => {
          tr.dataset.name = d.name;
          cell(tr, d.name); cell(tr, d.kind);
          cell(tr, num(d.rows), 'num rows'); cell(tr, d.version, 'num version');
          const run = d.last_run || {};
          cell(tr, run.state, 'state state-' + run.state);
          cell(tr, seconds(run.duration_ms), 'num duration');
          cell(tr, num(run.rows_written), 'num written');
        });
        fill('expectations', state.expectations, (tr, e) => {
          tr.dataset.name = e.dataset + '.' + e.name;
          cell(tr, e.dataset); cell(tr, e.name);
          cell(tr, num(e.passed), 'num passed'); cell(tr, num(e.failed), 'num failed');
          cell(tr, e.pass_rate.toFixed(2) + '%', 'num rate');
        });
        fill('updates', state.updates, (tr, u) => {
          tr.dataset.number = u.number;
          cell(tr, u.number, 'num'); cell(tr, u.state, 'state state-' + u.state); cell(tr, u.started);
          cell(tr, seconds(u.duration_ms), 'num duration'); cell(tr, u.error);
        });
        fill('batches', state.batches, (tr, b) => {
          tr.dataset.flow = b.flow; tr.dataset.epoch = b.epoch;
          cell(tr, b.flow); cell(tr, b.dataset); cell(tr, b.epoch, 'num epoch'); cell(tr, b.time);
          cell(tr, num(b.rows), 'num rows'); cell(tr, num(b.dropped), 'num dropped');
        });
        document.body.dataset.generated = state.generated;
      }
      let state = JSON.parse(document.getElementById('state').textContent);
      render(state);
      async function refresh() {
        try {
          const response = await fetch('api/state', { cache: 'no-store' });
          if (response.ok) { state = await response.json(); render(state); }
        } catch (e) {
          document.getElementById('summary').textContent += ' · refresh failed: ' + e;
        }
        setTimeout(refresh, state.running ? LIVE_REFRESH_MS : IDLE_REFRESH_MS);
      }
      if (live) { setTimeout(refresh, state.running ? LIVE_REFRESH_MS : IDLE_REFRESH_MS); }
      """;
}
