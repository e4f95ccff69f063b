/** `homeiq-evidence-chart`: when a finding happened, day by day over its window, as SVG. */
// Hand-drawn SVG, not a chart library: it is one scatter of times over days, and a library
// would add a large dependency to a module that every dashboard loads.
import { LitElement, css, html, svg, nothing } from "lit";
import { localize } from "./localize.js";
import type { Evidence, Hass } from "./types.js";

// Wide and low: a chart as tall as the page is wide would push the decisions off screen.
const WIDTH = 600;
const HOURS = [0, 6, 12, 18, 24];

function secondsOfDay(time: string): number {
  const [hours = 0, minutes = 0, seconds = 0] = time.split(":").map(Number);
  return hours * 3600 + minutes * 60 + seconds;
}

export class HomeiqEvidenceChart extends LitElement {
  static override properties = {
    hass: { attribute: false },
    evidence: { attribute: false },
    compact: { type: Boolean },
  };

  declare hass: Hass | undefined;
  declare evidence: Evidence | undefined;
  declare compact: boolean;

  constructor() {
    super();
    this.compact = false;
  }

  static override styles = css`
    :host {
      display: block;
      margin: 8px 0;
    }
    svg {
      width: 100%;
      max-width: 600px;
      height: auto;
      display: block;
    }
    .grid {
      stroke: var(--divider-color, #e0e0e0);
      stroke-width: 0.5;
    }
    .axis {
      fill: var(--secondary-text-color, #727272);
      font-size: 9px;
    }
    .day {
      fill: var(--secondary-background-color, #f5f5f5);
    }
    .hit {
      fill: var(--primary-color, #03a9f4);
    }
  `;

  protected override render() {
    const days = this.evidence?.days ?? [];
    if (days.length === 0) {
      return nothing;
    }
    const height = this.compact ? 60 : 120;
    const left = this.compact ? 2 : 26;
    const top = 4;
    const plotWidth = WIDTH - left - 2;
    const plotHeight = height - top - (this.compact ? 2 : 12);
    const step = plotWidth / days.length;
    const y = (seconds: number) => top + (seconds / 86400) * plotHeight;
    const withTimes = days.filter((day) => day.times.length > 0).length;
    const label = localize(this.hass, "chart.label", { days: days.length });
    return html`<svg
      class="evidence-chart"
      viewBox="0 0 ${WIDTH} ${height}"
      role="img"
      aria-label="${label}"
      data-days="${days.length}"
      data-days-with-times="${withTimes}"
    >
      <title>${label}</title>
      ${days.map(
        (day, index) =>
          svg`<rect class="day" x="${left + index * step + step * 0.1}" y="${top}"
            width="${step * 0.8}" height="${plotHeight}"><title>${day.date}: ${day.times.join(", ")}</title></rect>`,
      )}
      ${HOURS.map(
        (hour) => svg`<line class="grid" x1="${left}" x2="${WIDTH - 2}" y1="${y(hour * 3600)}" y2="${y(hour * 3600)}"></line>
          ${this.compact ? nothing : svg`<text class="axis" x="0" y="${y(hour * 3600) + 3}">${String(hour).padStart(2, "0")}h</text>`}`,
      )}
      ${days.flatMap((day, index) =>
        day.times.map(
          (time) =>
            svg`<circle class="hit" cx="${left + index * step + step / 2}" cy="${y(secondsOfDay(time))}"
              r="${Math.max(1.2, Math.min(3, step / 3))}"></circle>`,
        ),
      )}
      ${this.compact
        ? nothing
        : svg`<text class="axis" x="${left}" y="${height - 2}">${days[0].date}</text>
          <text class="axis" x="${WIDTH - 2}" y="${height - 2}" text-anchor="end">${days[days.length - 1].date}</text>`}
    </svg>`;
  }
}

if (!customElements.get("homeiq-evidence-chart")) {
  customElements.define("homeiq-evidence-chart", HomeiqEvidenceChart);
}
