/** `homeiq-automations-view`: what HomeIQ deployed, its versions and diffs, and undo. */
import { LitElement, css, html, nothing } from "lit";
import { type HomeIQApi, errorMessage } from "../api.js";
import { localize, type StringKey } from "../localize.js";
import { sharedStyles } from "../styles.js";
import type { Deployment, Hass, Version } from "../types.js";

/** The class of a unified diff's line: added, removed, or neither (context, file headers). */
function diffClass(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---")) return "";
  if (line.startsWith("+")) return "add";
  return line.startsWith("-") ? "del" : "";
}

export class HomeiqAutomationsView extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    _automations: { state: true },
    _versions: { state: true },
    _busy: { state: true },
    _error: { state: true },
  };

  declare hass: Hass | undefined;
  declare api: HomeIQApi | undefined;
  declare _automations: Deployment[] | undefined;
  /** Versions of the automations whose history is open, by automation id. */
  declare _versions: Record<string, Version[]>;
  declare _busy: boolean;
  declare _error: string | undefined;

  static override styles = [
    sharedStyles,
    css`
      .diff .add {
        color: var(--success-color, #43a047);
      }
      .diff .del {
        color: var(--error-color, #db4437);
      }
      .version {
        border-top: 1px solid var(--divider-color, #e0e0e0);
        padding: 8px 0;
      }
    `,
  ];

  constructor() {
    super();
    this._versions = {};
    this._busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private t(key: StringKey, values?: Record<string, string | number>): string {
    return localize(this.hass, key, values);
  }

  async load(): Promise<void> {
    if (!this.api) return;
    try {
      this._automations = (await this.api.automations()).automations;
      const open = Object.keys(this._versions);
      const versions = await Promise.all(open.map((id) => this.api!.versions(id)));
      this._versions = Object.fromEntries(open.map((id, index) => [id, versions[index].versions]));
      this._error = undefined;
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  protected override render() {
    if (this._error && !this._automations) return html`<p class="error">${this._error}</p>`;
    if (!this._automations) return html`<p class="secondary">${this.t("common.loading")}</p>`;
    return html`<div class="row"><button class="refresh" @click=${() => this.load()}>${this.t("common.refresh")}</button></div>
      ${this._error ? html`<p class="error">${this._error}</p>` : nothing}
      ${this._automations.length === 0 ? html`<p class="secondary empty">${this.t("automations.empty")}</p>` : nothing}
      ${this._automations.map((automation) => this.renderAutomation(automation))}`;
  }

  private renderAutomation(automation: Deployment) {
    const id = encodeURIComponent(automation.automation_id);
    const versions = this._versions[automation.automation_id];
    const enabled = automation.status === "deployed";
    return html`<div class="card automation" data-id=${automation.automation_id}>
      <h2>${automation.alias ?? automation.automation_id}</h2>
      <div class="secondary">
        <span class="status">${this.t(`status.${automation.status}` as StringKey)}</span> ·
        <span class="version-number">${this.t("automations.version", { version: automation.version })}</span> ·
        ${this.t("automations.deployed_at", { time: new Date(automation.deployed_at).toLocaleString(this.hass?.language) })}
        ${automation.entity_id ? html` · ${automation.entity_id}` : nothing}
      </div>
      <div class="row" style="margin-top: 8px">
        <a class="edit" href="/config/automation/edit/${id}">${this.t("automations.edit")}</a>
        <a class="trace" href="/config/automation/trace/${id}">${this.t("automations.traces")}</a>
        <button class="versions" @click=${() => this.toggleVersions(automation.automation_id)}>${this.t("automations.versions")}</button>
        <button class="rollback" ?disabled=${this._busy || automation.version < 2}
          @click=${() => this.act(() => this.api!.rollback(automation.automation_id))}>${this.t("automations.rollback")}</button>
        <button class="toggle" ?disabled=${this._busy || automation.status === "removed"}
          @click=${() => this.act(() => this.api!.setEnabled(automation.automation_id, !enabled))}>
          ${this.t(enabled ? "automations.disable" : "automations.enable")}
        </button>
        <button class="danger delete" ?disabled=${this._busy || automation.status === "removed"}
          @click=${() => {
            if (window.confirm(this.t("automations.delete_confirm"))) {
              void this.act(() => this.api!.remove(automation.automation_id));
            }
          }}>${this.t("automations.delete")}</button>
      </div>
      ${versions
        ? [...versions].sort((a, b) => b.version - a.version).map((version) => this.renderVersion(automation, version))
        : nothing}
    </div>`;
  }

  private renderVersion(automation: Deployment, version: Version) {
    return html`<div class="version" data-version=${version.version}>
      <div class="row">
        <b>${this.t("automations.version", { version: version.version })}</b>
        <span class="secondary">${new Date(version.created_at).toLocaleString(this.hass?.language)}</span>
        ${version.version === automation.version
          ? nothing
          : html`<button class="rollback-to" ?disabled=${this._busy}
              @click=${() => this.act(() => this.api!.rollback(automation.automation_id, version.version))}>
              ${this.t("automations.rollback_to")}</button>`}
      </div>
      ${version.diff
        ? html`<pre class="diff">${version.diff.split("\n").map(
            (line) => html`<span class=${diffClass(line)}>${line}</span>\n`,
          )}</pre>`
        : nothing}
    </div>`;
  }

  private async toggleVersions(automationId: string): Promise<void> {
    if (this._versions[automationId]) {
      const { [automationId]: _closed, ...rest } = this._versions;
      this._versions = rest;
      return;
    }
    try {
      const { versions } = await this.api!.versions(automationId);
      this._versions = { ...this._versions, [automationId]: versions };
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  private async act(call: () => Promise<unknown>): Promise<void> {
    this._busy = true;
    this._error = undefined;
    try {
      await call();
      await this.load();
    } catch (error) {
      this._error = errorMessage(error);
    } finally {
      this._busy = false;
    }
  }
}

if (!customElements.get("homeiq-automations-view")) {
  customElements.define("homeiq-automations-view", HomeiqAutomationsView);
}
