/** `homeiq-habits-view`: the patterns HomeIQ found, filtered, and the analysis behind them. */
import { LitElement, html, nothing } from "lit";
import { type HomeIQApi, errorMessage } from "../api.js";
import "../evidence-chart.js";
import { localize, type StringKey } from "../localize.js";
import { sharedStyles } from "../styles.js";
import type { AnalysisRun, Hass, Pattern } from "../types.js";

const TYPES = ["time_of_day", "co_occurrence", "routine", "anomaly"] as const;
const POLL_MS = 2000;

export class HomeiqHabitsView extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    _patterns: { state: true },
    _runs: { state: true },
    _type: { state: true },
    _area: { state: true },
    _entity: { state: true },
    _error: { state: true },
  };

  declare hass: Hass | undefined;
  declare api: HomeIQApi | undefined;
  declare _patterns: Pattern[] | undefined;
  declare _runs: AnalysisRun[];
  declare _type: string;
  declare _area: string;
  declare _entity: string;
  declare _error: string | undefined;

  private _poll: ReturnType<typeof setTimeout> | undefined;

  static override styles = sharedStyles;

  constructor() {
    super();
    this._runs = [];
    this._type = "";
    this._area = "";
    this._entity = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    void this.loadStatus();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._poll);
  }

  private t(key: StringKey, values?: Record<string, string | number>): string {
    return localize(this.hass, key, values);
  }

  async load(): Promise<void> {
    if (!this.api) return;
    try {
      const page = await this.api.patterns({
        ...(this._type ? { pattern_type: this._type } : {}),
        ...(this._entity ? { entity_id: this._entity } : {}),
      });
      this._patterns = page.patterns;
      this._error = undefined;
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  /** The latest runs; while one is queued or running, asked again until it ends. */
  async loadStatus(): Promise<void> {
    if (!this.api) return;
    clearTimeout(this._poll);
    try {
      this._runs = (await this.api.analysisStatus()).runs;
    } catch (error) {
      this._error = errorMessage(error);
      return;
    }
    const latest = this._runs[0];
    if (latest && (latest.status === "queued" || latest.status === "running") && this.isConnected) {
      this._poll = setTimeout(() => {
        void this.loadStatus().then(() => (this._runs[0]?.status === "succeeded" ? this.load() : undefined));
      }, POLL_MS);
    }
  }

  private areaOf(entityId: string): string | undefined {
    const entry = this.hass?.entities?.[entityId];
    if (!entry) return undefined;
    return entry.area_id ?? (entry.device_id ? (this.hass?.devices?.[entry.device_id]?.area_id ?? undefined) : undefined);
  }

  protected override render() {
    const areas = Object.values(this.hass?.areas ?? {}).sort((a, b) => a.name.localeCompare(b.name));
    const patterns = (this._patterns ?? []).filter(
      (pattern) => !this._area || pattern.entities.some((entityId) => this.areaOf(entityId) === this._area),
    );
    return html`${this.renderStatus()}
      <div class="card row filters">
        <label>${this.t("habits.type")}
          <select class="type" @change=${(event: Event) => {
            this._type = (event.target as HTMLSelectElement).value;
            void this.load();
          }}>
            <option value="">${this.t("habits.any")}</option>
            ${TYPES.map((type) => html`<option value=${type} ?selected=${this._type === type}>${this.t(`type.${type}`)}</option>`)}
          </select>
        </label>
        <label>${this.t("habits.area")}
          <select class="area" @change=${(event: Event) => (this._area = (event.target as HTMLSelectElement).value)}>
            <option value="">${this.t("habits.any")}</option>
            ${areas.map((area) => html`<option value=${area.area_id} ?selected=${this._area === area.area_id}>${area.name}</option>`)}
          </select>
        </label>
        <label>${this.t("habits.entity")}
          <input class="entity" list="homeiq-entities" .value=${this._entity} @change=${(event: Event) => {
            this._entity = (event.target as HTMLInputElement).value.trim();
            void this.load();
          }} />
          <datalist id="homeiq-entities">
            ${Object.keys(this.hass?.states ?? {}).map((entityId) => html`<option value=${entityId}></option>`)}
          </datalist>
        </label>
      </div>
      ${this._error ? html`<p class="error">${this._error}</p>` : nothing}
      ${this._patterns === undefined
        ? html`<p class="secondary">${this.t("common.loading")}</p>`
        : patterns.length === 0
          ? html`<p class="secondary empty">${this.t("habits.empty")}</p>`
          : patterns.map((pattern) => this.renderPattern(pattern))}`;
  }

  private renderStatus() {
    const latest = this._runs[0];
    let line;
    if (!latest) {
      line = this.t("analysis.never");
    } else if (latest.status === "queued" || latest.status === "running") {
      line = this.t("analysis.progress", { percent: Math.round(latest.progress * 100) });
    } else {
      const time = latest.finished_at ?? latest.started_at;
      line = this.t("analysis.last", {
        time: time ? new Date(time).toLocaleString(this.hass?.language) : "",
        status: latest.status,
      });
    }
    const running = latest?.status === "queued" || latest?.status === "running";
    return html`<div class="card analysis">
      <h2>${this.t("analysis.title")}</h2>
      <div class="row">
        <span class="analysis-status">${line}</span>
        ${running ? html`<progress max="1" .value=${latest.progress}></progress>` : nothing}
        ${latest?.stats
          ? html`<span class="secondary">${this.t("analysis.stats", { events: latest.stats.events ?? 0, patterns: latest.stats.patterns ?? 0 })}</span>`
          : nothing}
        <button class="primary run" ?disabled=${running} @click=${() => this.run()}>${this.t("analysis.run")}</button>
      </div>
    </div>`;
  }

  private renderPattern(pattern: Pattern) {
    return html`<div class="card pattern" data-id=${pattern.id}>
      <h3>${this.t(`type.${pattern.type}` as StringKey)}</h3>
      <p>${pattern.description}</p>
      <div class="secondary">
        ${this.t("habits.confidence", {
          value: pattern.confidence.toFixed(2),
          support: pattern.support_days,
          observed: pattern.observed_days,
        })}
      </div>
      <homeiq-evidence-chart .hass=${this.hass} .evidence=${pattern.evidence}></homeiq-evidence-chart>
    </div>`;
  }

  private async run(): Promise<void> {
    try {
      await this.api!.runAnalysis();
    } catch (error) {
      // A run already in progress (conflict) is what the user wanted anyway: show it.
      if ((error as { code?: string }).code !== "conflict") this._error = errorMessage(error);
    }
    await this.loadStatus();
  }
}

if (!customElements.get("homeiq-habits-view")) {
  customElements.define("homeiq-habits-view", HomeiqHabitsView);
}
