/** `homeiq-suggestions-card`: the best pending suggestions on a dashboard, with Approve/Reject. */
import { LitElement, css, html, nothing } from "lit";
import { HomeIQApi, errorMessage } from "./api.js";
import { localize } from "./localize.js";
import { snoozedIds } from "./snooze.js";
import { sharedStyles } from "./styles.js";
import "./suggestion-item.js";
import type { SuggestionDoneDetail } from "./suggestion-item.js";
import type { Hass, Suggestion } from "./types.js";

export const CARD_TYPE = "homeiq-suggestions-card";
const MAX_COUNT = 20;

export interface CardConfig {
  type: string;
  count: number;
  title?: string;
  entry_id?: string;
}

/** The card's config checked and with its defaults; throws on a config it cannot show. */
export function validateConfig(config: unknown): CardConfig {
  if (typeof config !== "object" || config === null) {
    throw new Error("Invalid configuration");
  }
  const { type, count = 3, title, entry_id: entryId } = config as Record<string, unknown>;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new Error(`count must be a whole number from 1 to ${MAX_COUNT}`);
  }
  if (title !== undefined && typeof title !== "string") {
    throw new Error("title must be text");
  }
  if (entryId !== undefined && typeof entryId !== "string") {
    throw new Error("entry_id must be a config entry id");
  }
  return {
    type: String(type ?? `custom:${CARD_TYPE}`),
    count,
    ...(title === undefined ? {} : { title }),
    ...(entryId === undefined ? {} : { entry_id: entryId }),
  };
}

export class HomeiqSuggestionsCard extends LitElement {
  static override properties = {
    hass: { attribute: false },
    _config: { state: true },
    _suggestions: { state: true },
    _message: { state: true },
    _error: { state: true },
  };

  declare hass: Hass | undefined;
  declare _config: CardConfig | undefined;
  declare _suggestions: Suggestion[] | undefined;
  declare _message: string | undefined;
  declare _error: string | undefined;

  private _api: HomeIQApi | undefined;

  static getStubConfig(): Omit<CardConfig, "type"> {
    return { count: 3 };
  }

  static override styles = [
    sharedStyles,
    css`
      .card {
        margin: 0;
      }
      homeiq-suggestion {
        --ha-card-border-width: 0;
      }
    `,
  ];

  setConfig(config: unknown): void {
    this._config = validateConfig(config);
    this._api = undefined;
    this._suggestions = undefined;
  }

  getCardSize(): number {
    return 1 + 3 * (this._config?.count ?? 3);
  }

  protected override willUpdate(): void {
    if (this.hass && this._config && !this._api) {
      this._api = new HomeIQApi(() => this.hass!, this._config.entry_id);
      void this.load();
    }
  }

  async load(): Promise<void> {
    if (!this._api || !this._config) return;
    try {
      // A few more than shown, so snoozed ones can be skipped.
      const page = await this._api.suggestions("pending", this._config.count + 10);
      const snoozed = snoozedIds();
      this._suggestions = page.suggestions
        .filter((item) => !snoozed.has(item.id))
        .sort((a, b) => b.score - a.score);
      this._error = undefined;
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  protected override render() {
    if (!this._config) return nothing;
    const shown = (this._suggestions ?? []).slice(0, this._config.count);
    return html`<div class="card">
      <h2>${this._config.title ?? localize(this.hass, "card.title")}</h2>
      ${this._error ? html`<p class="error">${this._error}</p>` : nothing}
      ${this._message ? html`<p class="success message">${this._message}</p>` : nothing}
      ${this._suggestions === undefined && !this._error
        ? html`<p class="secondary">${localize(this.hass, "common.loading")}</p>`
        : nothing}
      ${this._suggestions?.length === 0 ? html`<p class="secondary empty">${localize(this.hass, "card.empty")}</p>` : nothing}
      ${shown.map(
        (suggestion) =>
          html`<homeiq-suggestion compact .hass=${this.hass} .api=${this._api} .suggestion=${suggestion}
            @homeiq-suggestion-done=${this.onDone}></homeiq-suggestion>`,
      )}
    </div>`;
  }

  private onDone(event: CustomEvent<SuggestionDoneDetail>): void {
    this._message = event.detail.message;
    this._suggestions = this._suggestions?.filter((item) => item.id !== event.detail.id);
  }
}

if (!customElements.get(CARD_TYPE)) {
  customElements.define(CARD_TYPE, HomeiqSuggestionsCard);
}

interface CustomCardEntry {
  type: string;
  name: string;
  description: string;
  preview?: boolean;
}

declare global {
  interface Window {
    customCards?: CustomCardEntry[];
  }
}

window.customCards = window.customCards ?? [];
if (!window.customCards.some((card) => card.type === CARD_TYPE)) {
  // Listed in the dashboard's card picker; the picker shows these strings as they are.
  const language = document.documentElement.lang || navigator.language;
  window.customCards.push({
    type: CARD_TYPE,
    name: localize({ language }, "card.name"),
    description: localize({ language }, "card.description"),
    preview: false,
  });
}
