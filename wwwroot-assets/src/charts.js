// ReleaseBoard's chart interop: a thin layer over apexcharts (npm, pinned 4.7.0) for the ApexChart Razor component.
// Charts are created once, after the component's first render; later data is applied in place with updateOptions
// (no re-creation, so no flicker); a chart is destroyed when its component goes away. Data arrives as plain JSON.
// Functions cannot travel as JSON, so the component names a value format and the formatters live here.

const charts = new Map();
let library;

function loadLibrary(url) {
  if (window.ApexCharts) return Promise.resolve();
  library ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.onload = () => resolve();
    script.onerror = () => { library = undefined; reject(new Error(`Could not load ${url}`)); };
    document.head.appendChild(script);
  });
  return library;
}

const formats = {
  hours: v => v == null ? '—' : `${Number(v).toFixed(v < 10 ? 1 : 0)} h`,
  minutes: v => v == null ? '—' : `${Number(v).toFixed(0)} min`,
  percent: v => v == null ? '—' : `${(Number(v) * 100).toFixed(0)} %`,
  perDay: v => v == null ? '—' : `${Number(v).toFixed(2)}/day`,
  days: v => v == null ? '—' : `${Number(v).toFixed(0)} d`,
  count: v => v == null ? '—' : `${Number(v).toFixed(0)}`,
};

// Each y axis (and the tooltip, per series) formats with the named format: { yaxis: [{ rbFormat: 'hours' }] }.
function withFormatters(options, height) {
  const copy = structuredClone(options);
  copy.chart = { ...(copy.chart ?? {}), height };
  const axes = Array.isArray(copy.yaxis) ? copy.yaxis : copy.yaxis ? [copy.yaxis] : [];
  const perSeries = [];
  for (const axis of axes) {
    const format = formats[axis.rbFormat] ?? formats.count;
    delete axis.rbFormat;
    axis.labels = { ...(axis.labels ?? {}), formatter: format };
    perSeries.push(format);
  }
  const formatter = (v, { seriesIndex }) => (perSeries[seriesIndex] ?? perSeries[0] ?? formats.count)(v);
  copy.tooltip = { ...(copy.tooltip ?? {}), y: { formatter } };
  return copy;
}

export async function create(element, id, libraryUrl, options, height) {
  await loadLibrary(libraryUrl);
  destroy(id);
  const chart = new window.ApexCharts(element, withFormatters(options, height));
  charts.set(id, chart);
  await chart.render();
  // How many times this element got a chart: a filter change must update the chart, never create another.
  element.dataset.chartCreations = String(Number(element.dataset.chartCreations ?? 0) + 1);
}

export async function update(id, options, height) {
  const chart = charts.get(id);
  if (!chart) return false;
  // redrawPaths = false, animate = false: the chart morphs to the new data instead of being drawn again.
  await chart.updateOptions(withFormatters(options, height), false, false);
  return true;
}

export function destroy(id) {
  const chart = charts.get(id);
  if (!chart) return;
  chart.destroy();
  charts.delete(id);
}
