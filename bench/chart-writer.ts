export interface ChartBar {
  label: string;
  /** null: no measurement (the scenario is not available yet, or failed). */
  valueMs: number | null;
  targetMs: number | null;
  note?: string;
}

const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** Grid values 1, 2, 5 x powers of ten between `min` and `max`. */
function gridValues(min: number, max: number): number[] {
  const values: number[] = [];
  for (let power = Math.floor(Math.log10(min)); 10 ** power <= max; power++) {
    for (const m of [1, 2, 5]) {
      const value = m * 10 ** power;
      if (value >= min && value <= max) values.push(value);
    }
  }
  return values;
}

/**
 * A horizontal bar chart of p95 latency per scenario on a logarithmic scale (targets of a few ms and
 * misses of seconds on one chart), written by hand as SVG text, viewable anywhere: green bars meet
 * their target, red ones miss it, blue ones have none of their own; the dark tick is the target.
 */
export function p95Chart(title: string, bars: ChartBar[]): string {
  const labelWidth = 230;
  const plotWidth = 480;
  const rowHeight = 34;
  const top = 48;
  const height = top + bars.length * rowHeight + 48;
  const width = labelWidth + plotWidth + 120;
  const values = bars.flatMap((b) => [b.valueMs, b.targetMs]).filter((v): v is number => v !== null && v > 0);
  const min = 10 ** Math.floor(Math.log10(Math.min(1, ...values)));
  const max = 10 ** Math.ceil(Math.log10(Math.max(10, ...values) * 1.2));
  const x = (ms: number) =>
    labelWidth + (Math.log10(Math.min(Math.max(ms, min), max) / min) / Math.log10(max / min)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const ms of gridValues(min, max)) {
    const gx = x(ms).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 42}" stroke="#e3e3e3"/>`,
      `<text x="${gx}" y="${height - 26}" text-anchor="middle" fill="#666" font-size="11">${ms}</text>`,
    );
  }
  parts.push(
    `<text x="${labelWidth + plotWidth / 2}" y="${height - 4}" text-anchor="middle" fill="#666" font-size="11">ms (log scale)</text>`,
  );
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    parts.push(`<text x="${labelWidth - 10}" y="${y + 19}" text-anchor="end">${escapeXml(bar.label)}</text>`);
    if (bar.valueMs === null) {
      parts.push(
        `<text x="${labelWidth + 6}" y="${y + 19}" fill="#888" font-style="italic">${escapeXml(bar.note ?? 'not available yet')}</text>`,
      );
    } else {
      const missed = bar.targetMs !== null && bar.valueMs > bar.targetMs;
      const color = bar.targetMs === null ? '#5b8def' : missed ? '#d9534f' : '#3fa34d';
      parts.push(
        `<rect x="${labelWidth}" y="${y + 6}" width="${Math.max(1, x(bar.valueMs) - labelWidth).toFixed(1)}" height="18" fill="${color}"><title>p95 ${bar.valueMs.toFixed(2)} ms${bar.targetMs === null ? '' : `, target ${bar.targetMs} ms`}</title></rect>`,
        `<text x="${(x(bar.valueMs) + 6).toFixed(1)}" y="${y + 19}">${bar.valueMs.toFixed(2)} ms</text>`,
      );
    }
    if (bar.targetMs !== null) {
      const tx = x(bar.targetMs).toFixed(1);
      parts.push(`<line x1="${tx}" y1="${y + 2}" x2="${tx}" y2="${y + 28}" stroke="#222" stroke-width="2"/>`);
    }
  });
  parts.push(
    `<text x="${width - 16}" y="26" text-anchor="end" fill="#666">bar: p95, tick: target</text>`,
    '</svg>',
  );
  return parts.join('\n') + '\n';
}

/** One server's curve in a sweep panel: a point per connection count. */
export interface SweepSeries {
  label: string;
  color: string;
  dashed?: boolean;
  points: { connections: number; requestsPerSecond: number; p95Ms: number }[];
}

export interface SweepPanel {
  title: string;
  targetMs: number | null;
  series: SweepSeries[];
}

/**
 * Latency against throughput, one panel per scenario: each point is one connection count (labelled), so
 * a reader sees where a path saturates: throughput stops growing while p95 climbs. Log-scaled p95.
 */
export function sweepChart(title: string, panels: SweepPanel[]): string {
  const columns = 3;
  const panelWidth = 300;
  const panelHeight = 220;
  const pad = { left: 48, right: 12, top: 28, bottom: 34 };
  const top = 44;
  const rows = Math.ceil(panels.length / columns);
  const width = columns * panelWidth + 20;
  const height = top + rows * panelHeight + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${width - 12}" y="24" text-anchor="end" fill="#666">x: req/s, y: p95 ms (log), labels: connections; solid: ours, dashed: ideal</text>`,
  ];
  panels.forEach((panel, index) => {
    const ox = 10 + (index % columns) * panelWidth;
    const oy = top + Math.floor(index / columns) * panelHeight;
    const plotW = panelWidth - pad.left - pad.right;
    const plotH = panelHeight - pad.top - pad.bottom;
    const all = panel.series.flatMap((s) => s.points);
    const maxRps = Math.max(1, ...all.map((p) => p.requestsPerSecond)) * 1.1;
    const latencies = [...all.map((p) => p.p95Ms), ...(panel.targetMs ? [panel.targetMs] : [])].filter(
      (v) => v > 0,
    );
    const minMs = 10 ** Math.floor(Math.log10(Math.min(1, ...latencies)));
    const maxMs = 10 ** Math.ceil(Math.log10(Math.max(2, ...latencies)));
    const x = (rps: number) => ox + pad.left + (rps / maxRps) * plotW;
    const y = (ms: number) =>
      oy + pad.top + plotH - (Math.log10(Math.max(ms, minMs) / minMs) / Math.log10(maxMs / minMs)) * plotH;
    parts.push(
      `<text x="${ox + pad.left}" y="${oy + 16}" font-weight="bold" font-size="12">${escapeXml(panel.title)}</text>`,
      `<rect x="${ox + pad.left}" y="${oy + pad.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#ccc"/>`,
    );
    for (const ms of gridValues(minMs, maxMs)) {
      parts.push(
        `<line x1="${ox + pad.left}" y1="${y(ms).toFixed(1)}" x2="${ox + pad.left + plotW}" y2="${y(ms).toFixed(1)}" stroke="#eee"/>`,
        `<text x="${ox + pad.left - 4}" y="${(y(ms) + 4).toFixed(1)}" text-anchor="end" fill="#666">${ms}</text>`,
      );
    }
    for (let i = 0; i <= 4; i++) {
      const rps = (maxRps / 4) * i;
      parts.push(
        `<text x="${x(rps).toFixed(1)}" y="${oy + pad.top + plotH + 14}" text-anchor="middle" fill="#666">${rps.toFixed(0)}</text>`,
      );
    }
    if (panel.targetMs) {
      parts.push(
        `<line x1="${ox + pad.left}" y1="${y(panel.targetMs).toFixed(1)}" x2="${ox + pad.left + plotW}" y2="${y(panel.targetMs).toFixed(1)}" stroke="#222" stroke-dasharray="2 3"/>`,
      );
    }
    for (const series of panel.series) {
      const points = series.points.map(
        (p) => `${x(p.requestsPerSecond).toFixed(1)},${y(p.p95Ms).toFixed(1)}`,
      );
      parts.push(
        `<polyline points="${points.join(' ')}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
      for (const p of series.points) {
        parts.push(
          `<circle cx="${x(p.requestsPerSecond).toFixed(1)}" cy="${y(p.p95Ms).toFixed(1)}" r="3" fill="${series.color}"><title>${escapeXml(series.label)}: ${p.connections} connections, ${p.requestsPerSecond.toFixed(0)} req/s, p95 ${p.p95Ms.toFixed(2)} ms</title></circle>`,
          `<text x="${(x(p.requestsPerSecond) + 4).toFixed(1)}" y="${(y(p.p95Ms) - 4).toFixed(1)}" fill="${series.color}" font-size="10">${p.connections}</text>`,
        );
      }
    }
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
