/** `homeiq-ask-view`: a request in words, its answer as a preview, clarifications as buttons. */
import { LitElement, css, html, nothing } from "lit";
import { type HomeIQApi, errorMessage } from "../api.js";
import { localize, type StringKey } from "../localize.js";
import { sharedStyles } from "../styles.js";
import "../suggestion-item.js";
import type { SuggestionDoneDetail } from "../suggestion-item.js";
import type { Clarification, Hass, Query } from "../types.js";

export class HomeiqAskView extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    _query: { state: true },
    _message: { state: true },
    _busy: { state: true },
    _error: { state: true },
  };

  declare hass: Hass | undefined;
  declare api: HomeIQApi | undefined;
  declare _query: Query | undefined;
  declare _message: string | undefined;
  declare _busy: boolean;
  declare _error: string | undefined;

  static override styles = [
    sharedStyles,
    css`
      textarea.text {
        width: 100%;
        min-height: 4em;
      }
      .options {
        margin: 8px 0 16px;
      }
    `,
  ];

  constructor() {
    super();
    this._busy = false;
  }

  private t(key: StringKey): string {
    return localize(this.hass, key);
  }

  protected override render() {
    return html`<div class="card">
        <textarea
          class="text"
          aria-label=${this.t("tab.ask")}
          placeholder=${this.t("ask.placeholder")}
          @keydown=${(event: KeyboardEvent) => {
            if (event.key === "Enter" && !event.shiftKey) {
              event.preventDefault();
              void this.ask();
            }
          }}
        ></textarea>
        <div class="row">
          <button class="primary ask" ?disabled=${this._busy} @click=${() => this.ask()}>${this.t("ask.submit")}</button>
        </div>
      </div>
      ${this._error ? html`<p class="error">${this._error}</p>` : nothing}
      ${this._message ? html`<p class="message">${this._message}</p>` : nothing}
      ${this._query ? this.renderQuery(this._query) : nothing}`;
  }

  private renderQuery(query: Query) {
    return html`${query.clarifications.map((clarification) => this.renderClarification(query, clarification))}
    ${query.kind === "command" && query.actions.length
      ? html`<div class="card command">
          <h3>${this.t("ask.command")}</h3>
          <pre>${query.actions.map((action) => JSON.stringify(action, null, 2)).join("\n")}</pre>
        </div>`
      : nothing}
    ${query.suggestions.map(
      (suggestion) =>
        html`<homeiq-suggestion
          .hass=${this.hass}
          .api=${this.api}
          .suggestion=${suggestion}
          @homeiq-suggestion-done=${(event: CustomEvent<SuggestionDoneDetail>) => {
            this._message = event.detail.message;
            this._query = { ...query, suggestions: query.suggestions.filter((item) => item.id !== event.detail.id) };
          }}
        ></homeiq-suggestion>`,
    )}`;
  }

  private renderClarification(query: Query, clarification: Clarification) {
    return html`<div class="card clarification" data-id=${clarification.id}>
      <h3>${clarification.question}</h3>
      <div class="row options">
        ${clarification.options.map(
          (option) =>
            html`<button class="option" data-value=${option.value} ?disabled=${this._busy}
              @click=${() => this.refine(query.query_id, { [clarification.id]: option.value })}>${option.label}</button>`,
        )}
      </div>
    </div>`;
  }

  /** Send the text box's request. */
  async ask(): Promise<void> {
    const text = this.renderRoot.querySelector<HTMLTextAreaElement>("textarea.text")?.value.trim();
    if (!text || !this.api) return;
    await this.run(() => this.api!.ask(text));
  }

  private async refine(queryId: string, answers: Record<string, string>): Promise<void> {
    await this.run(() => this.api!.refine(queryId, answers));
  }

  private async run(call: () => Promise<Query & { message: string }>): Promise<void> {
    this._busy = true;
    this._error = undefined;
    try {
      const query = await call();
      this._query = query;
      this._message = query.message;
    } catch (error) {
      this._error = errorMessage(error);
    } finally {
      this._busy = false;
    }
  }
}

if (!customElements.get("homeiq-ask-view")) {
  customElements.define("homeiq-ask-view", HomeiqAskView);
}
