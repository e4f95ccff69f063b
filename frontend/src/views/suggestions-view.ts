/** `homeiq-suggestions-view`: pending suggestions, best first, each with its decisions. */
import { LitElement, html, nothing } from "lit";
import { type HomeIQApi, errorMessage } from "../api.js";
import { localize } from "../localize.js";
import { snoozedIds } from "../snooze.js";
import { sharedStyles } from "../styles.js";
import "../suggestion-item.js";
import type { SuggestionDoneDetail } from "../suggestion-item.js";
import type { Hass, Suggestion } from "../types.js";

export class HomeiqSuggestionsView extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    _suggestions: { state: true },
    _snoozed: { state: true },
    _message: { state: true },
    _error: { state: true },
  };

  declare hass: Hass | undefined;
  declare api: HomeIQApi | undefined;
  declare _suggestions: Suggestion[] | undefined;
  declare _snoozed: number;
  declare _message: string | undefined;
  declare _error: string | undefined;

  static override styles = sharedStyles;

  constructor() {
    super();
    this._snoozed = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    if (!this.api) return;
    try {
      const page = await this.api.suggestions("pending", 100);
      const snoozed = snoozedIds();
      const shown = page.suggestions.filter((item) => !snoozed.has(item.id));
      this._snoozed = page.suggestions.length - shown.length;
      this._suggestions = shown.sort((a, b) => b.score - a.score);
      this._error = undefined;
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  protected override render() {
    const t = (key: Parameters<typeof localize>[1], values?: Record<string, string | number>) =>
      localize(this.hass, key, values);
    if (this._error) return html`<p class="error">${t("common.error", { message: this._error })}</p>`;
    if (!this._suggestions) return html`<p class="secondary">${t("common.loading")}</p>`;
    return html`
      <div class="row">
        <button class="refresh" @click=${() => this.load()}>${t("common.refresh")}</button>
        ${this._snoozed ? html`<span class="secondary">${t("suggestions.snoozed", { count: this._snoozed })}</span>` : nothing}
      </div>
      ${this._message ? html`<p class="success message">${this._message}</p>` : nothing}
      ${this._suggestions.length === 0 ? html`<p class="secondary empty">${t("suggestions.empty")}</p>` : nothing}
      ${this._suggestions.map(
        (suggestion) =>
          html`<homeiq-suggestion
            .hass=${this.hass}
            .api=${this.api}
            .suggestion=${suggestion}
            @homeiq-suggestion-done=${this.onDone}
          ></homeiq-suggestion>`,
      )}
    `;
  }

  private onDone(event: CustomEvent<SuggestionDoneDetail>): void {
    this._message = event.detail.message;
    this._suggestions = this._suggestions?.filter((item) => item.id !== event.detail.id);
  }
}

if (!customElements.get("homeiq-suggestions-view")) {
  customElements.define("homeiq-suggestions-view", HomeiqSuggestionsView);
}
