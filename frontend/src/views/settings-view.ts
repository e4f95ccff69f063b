/** `homeiq-settings-view`: the engine's settings (stored by the engine) as a form. */
import { LitElement, html, nothing } from "lit";
import { type HomeIQApi, errorMessage } from "../api.js";
import { localize, type StringKey } from "../localize.js";
import { sharedStyles } from "../styles.js";
import type { Hass, Settings } from "../types.js";

const BACKENDS = ["off", "openai", "ha_ai_task"] as const;

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

export class HomeiqSettingsView extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    _settings: { state: true },
    _saved: { state: true },
    _error: { state: true },
  };

  declare hass: Hass | undefined;
  declare api: HomeIQApi | undefined;
  declare _settings: Settings | undefined;
  declare _saved: boolean;
  declare _error: string | undefined;

  static override styles = sharedStyles;

  constructor() {
    super();
    this._saved = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private t(key: StringKey): string {
    return localize(this.hass, key);
  }

  async load(): Promise<void> {
    if (!this.api) return;
    try {
      this._settings = await this.api.settings();
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  protected override render() {
    const settings = this._settings;
    if (!settings) {
      return this._error
        ? html`<p class="error">${this._error}</p>`
        : html`<p class="secondary">${this.t("common.loading")}</p>`;
    }
    const areas = Object.values(this.hass?.areas ?? {});
    const known = new Set(areas.map((area) => area.area_id));
    const allAreas = [
      ...areas,
      ...settings.exclude.areas.filter((id) => !known.has(id)).map((id) => ({ area_id: id, name: id })),
    ];
    return html`<form class="card settings" @submit=${this.onSubmit}>
      <label>${this.t("settings.analysis_time")}
        <input name="analysis_time" .value=${settings.analysis_time} pattern="off|([01]\\d|2[0-3]):[0-5]\\d" required />
      </label>
      <label>${this.t("settings.analysis_days")}
        <input name="analysis_days" type="number" min="1" step="1" .value=${String(settings.analysis_days)} required />
      </label>
      <label>${this.t("settings.min_score")}
        <input name="min_score" type="number" min="0" max="1" step="0.01" .value=${String(settings.min_score)} required />
      </label>
      <fieldset>
        <legend>${this.t("settings.exclude_areas")}</legend>
        ${allAreas.length === 0 ? html`<span class="secondary">${this.t("common.none")}</span>` : nothing}
        ${allAreas.map(
          (area) => html`<label style="display:inline-block;margin-right:12px">
            <input type="checkbox" name="exclude_area" value=${area.area_id} ?checked=${settings.exclude.areas.includes(area.area_id)} />
            ${area.name}</label>`,
        )}
      </fieldset>
      <label>${this.t("settings.exclude_entities")}
        <input name="exclude_entities" .value=${settings.exclude.entities.join(", ")} />
      </label>
      <label>${this.t("settings.exclude_labels")}
        <input name="exclude_labels" .value=${settings.exclude.labels.join(", ")} />
      </label>
      <label>${this.t("settings.language")}
        <input name="language" .value=${settings.language} required />
      </label>
      <label>${this.t("settings.llm_backend")}
        <select name="llm_backend">
          ${BACKENDS.map(
            (backend) => html`<option value=${backend} ?selected=${settings.llm.backend === backend}>${this.t(`settings.llm.${backend}`)}</option>`,
          )}
        </select>
      </label>
      <label>${this.t("settings.llm_model")}
        <input name="llm_model" .value=${settings.llm.model ?? ""} />
      </label>
      <label>${this.t("settings.llm_ai_task_entity")}
        <input name="llm_ai_task_entity" .value=${settings.llm.ai_task_entity ?? ""} />
      </label>
      <div class="row">
        <button class="primary save" type="submit">${this.t("common.save")}</button>
        ${this._saved ? html`<span class="success saved">${this.t("settings.saved")}</span>` : nothing}
        ${this._error ? html`<span class="error">${this._error}</span>` : nothing}
      </div>
    </form>`;
  }

  /** The form's values as a settings object. */
  private read(form: HTMLFormElement): Settings {
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    const checked = [...form.querySelectorAll<HTMLInputElement>('input[name="exclude_area"]')]
      .filter((box) => box.checked)
      .map((box) => box.value);
    const backend = value("llm_backend") as Settings["llm"]["backend"];
    return {
      analysis_time: value("analysis_time"),
      analysis_days: Number(value("analysis_days")),
      min_score: Number(value("min_score")),
      exclude: { areas: checked, entities: splitList(value("exclude_entities")), labels: splitList(value("exclude_labels")) },
      language: value("language"),
      // An emptied field clears the setting (null), rather than keeping the old value.
      llm: { backend, model: value("llm_model") || null, ai_task_entity: value("llm_ai_task_entity") || null },
    };
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    const current = {
      ...this._settings!,
      // In the order read() gives, since they are compared as JSON.
      llm: {
        backend: this._settings!.llm.backend,
        model: this._settings!.llm.model ?? null,
        ai_task_entity: this._settings!.llm.ai_task_entity ?? null,
      },
    };
    const wanted = this.read(event.target as HTMLFormElement);
    // Only what changed is sent (PATCH), so a setting changed elsewhere meanwhile survives.
    const changes = Object.fromEntries(
      Object.entries(wanted).filter(
        ([key, value]) => JSON.stringify(value) !== JSON.stringify(current[key as keyof Settings]),
      ),
    ) as Partial<Settings>;
    this._saved = false;
    this._error = undefined;
    try {
      this._settings = await this.api!.settings(changes);
      this._saved = true;
    } catch (error) {
      this._error = errorMessage(error);
    }
  }
}

if (!customElements.get("homeiq-settings-view")) {
  customElements.define("homeiq-settings-view", HomeiqSettingsView);
}
