/** `homeiq-panel`: HomeIQ's sidebar panel, one view per tab. */
import { LitElement, css, html, nothing } from "lit";
import { keyed } from "lit/directives/keyed.js";
import { HomeIQApi, errorMessage } from "./api.js";
import { localize, type StringKey } from "./localize.js";
import { sharedStyles } from "./styles.js";
import type { EngineInfo, Hass } from "./types.js";
import "./views/ask-view.js";
import "./views/automations-view.js";
import "./views/habits-view.js";
import "./views/settings-view.js";
import "./views/suggestions-view.js";

export const TABS = ["suggestions", "ask", "automations", "habits", "settings"] as const;
export type Tab = (typeof TABS)[number];

interface Route {
  prefix: string;
  path: string;
}

export class HomeiqPanel extends LitElement {
  static override properties = {
    hass: { attribute: false },
    narrow: { type: Boolean },
    route: { attribute: false },
    panel: { attribute: false },
    _tab: { state: true },
    _engines: { state: true },
    _api: { state: true },
    _error: { state: true },
  };

  declare hass: Hass | undefined;
  declare narrow: boolean;
  declare route: Route | undefined;
  declare panel: unknown;
  declare _tab: Tab;
  declare _engines: EngineInfo[] | undefined;
  declare _api: HomeIQApi | undefined;
  declare _error: string | undefined;

  constructor() {
    super();
    this.narrow = false;
    this._tab = "suggestions";
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--primary-background-color, #fafafa);
      }
      header {
        display: flex;
        align-items: center;
        gap: 12px;
        height: var(--header-height, 56px);
        padding: 0 16px;
        background: var(--app-header-background-color, var(--primary-color, #03a9f4));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        font-size: 20px;
      }
      header button,
      header select {
        color: inherit;
        border-color: transparent;
        background: transparent;
      }
      header .title {
        flex: 1;
      }
      nav {
        display: flex;
        overflow-x: auto;
        background: var(--app-header-background-color, var(--primary-color, #03a9f4));
      }
      nav button {
        border: none;
        border-radius: 0;
        border-bottom: 2px solid transparent;
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        opacity: 0.8;
        padding: 12px 16px;
        text-transform: uppercase;
        font-size: 0.9em;
      }
      nav button[aria-selected="true"] {
        border-bottom-color: currentColor;
        opacity: 1;
      }
      main {
        max-width: 960px;
        margin: 0 auto;
        padding: 16px;
      }
    `,
  ];

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("route") && this.route) {
      const tab = this.route.path.replace(/^\//, "").split("/")[0] as Tab;
      if (TABS.includes(tab)) this._tab = tab;
    }
    if (changed.has("hass") && this.hass && this._engines === undefined && !this._error) {
      this._engines = [];
      void this.loadEngines();
    }
  }

  private t(key: StringKey): string {
    return localize(this.hass, key);
  }

  private async loadEngines(): Promise<void> {
    try {
      const { engines } = await new HomeIQApi(() => this.hass!).engines();
      this._engines = engines;
      this._api = new HomeIQApi(() => this.hass!, engines.length > 1 ? engines[0].entry_id : undefined);
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  protected override render() {
    return html`<header>
        ${this.narrow
          ? html`<button class="menu" aria-label="Menu" @click=${this.toggleMenu}>☰</button>`
          : nothing}
        <span class="title">${this.t("panel.title")}</span>
        ${this._engines && this._engines.length > 1
          ? html`<select class="engine" aria-label=${this.t("panel.engine")} @change=${this.onEngine}>
              ${this._engines.map((engine) => html`<option value=${engine.entry_id}>${engine.title}</option>`)}
            </select>`
          : nothing}
      </header>
      <nav role="tablist">
        ${TABS.map(
          (tab) => html`<button role="tab" class="tab" data-tab=${tab} aria-selected=${this._tab === tab}
            @click=${() => this.select(tab)}>${this.t(`tab.${tab}`)}</button>`,
        )}
      </nav>
      <main>
        ${this._error
          ? html`<p class="error">${this.t("common.error").replace("{message}", this._error)}</p>`
          : this._api
            ? keyed(this._api, this.renderView())
            : html`<p class="secondary">${this.t("common.loading")}</p>`}
      </main>`;
  }

  /** The open tab's view (new for each engine, so it loads that engine's data). */
  private renderView() {
    switch (this._tab) {
      case "suggestions":
        return html`<homeiq-suggestions-view .hass=${this.hass} .api=${this._api}></homeiq-suggestions-view>`;
      case "ask":
        return html`<homeiq-ask-view .hass=${this.hass} .api=${this._api}></homeiq-ask-view>`;
      case "automations":
        return html`<homeiq-automations-view .hass=${this.hass} .api=${this._api}></homeiq-automations-view>`;
      case "habits":
        return html`<homeiq-habits-view .hass=${this.hass} .api=${this._api}></homeiq-habits-view>`;
      case "settings":
        return html`<homeiq-settings-view .hass=${this.hass} .api=${this._api}></homeiq-settings-view>`;
    }
  }

  private select(tab: Tab): void {
    this._tab = tab;
    // The tab is part of the URL, so a reload or a shared link opens the same view.
    if (this.route) {
      history.replaceState(null, "", `${this.route.prefix}/${tab}`);
    }
  }

  private onEngine(event: Event): void {
    this._api = new HomeIQApi(() => this.hass!, (event.target as HTMLSelectElement).value);
  }

  private toggleMenu(): void {
    // Home Assistant's shell opens its sidebar on this event (what ha-menu-button fires).
    this.dispatchEvent(new CustomEvent("hass-toggle-menu", { bubbles: true, composed: true }));
  }
}

if (!customElements.get("homeiq-panel")) {
  customElements.define("homeiq-panel", HomeiqPanel);
}
