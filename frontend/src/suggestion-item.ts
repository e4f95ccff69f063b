/** `homeiq-suggestion`: one suggestion, what it does and why, its YAML, and its decisions. */
import { LitElement, css, html, nothing } from "lit";
import { type HomeIQApi, errorMessage } from "./api.js";
import "./confirm-dialog.js";
import { describeAutomation } from "./describe.js";
import "./evidence-chart.js";
import { localize, type StringKey } from "./localize.js";
import { snooze } from "./snooze.js";
import { sharedStyles } from "./styles.js";
import type { Hass, Issue, Suggestion, ValidateResult } from "./types.js";

/** Fired when the suggestion leaves the list (approved, rejected or snoozed). */
export interface SuggestionDoneDetail {
  id: string;
  message: string;
}

export class HomeiqSuggestion extends LitElement {
  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    suggestion: { attribute: false },
    compact: { type: Boolean },
    validateDelay: { type: Number },
    _yaml: { state: true },
    _validation: { state: true },
    _validating: { state: true },
    _confirming: { state: true },
    _rejecting: { state: true },
    _busy: { state: true },
    _error: { state: true },
  };

  declare hass: Hass | undefined;
  declare api: HomeIQApi | undefined;
  declare suggestion: Suggestion;
  /** The card's small form: chart and decisions, no YAML. */
  declare compact: boolean;
  /** How long typing must pause before the YAML is validated again. */
  declare validateDelay: number;
  declare _yaml: string | undefined;
  declare _validation: ValidateResult | undefined;
  declare _validating: boolean;
  declare _confirming: boolean;
  declare _rejecting: boolean;
  declare _busy: boolean;
  declare _error: string | undefined;

  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _validationRound = 0;

  constructor() {
    super();
    this.compact = false;
    this.validateDelay = 500;
    this._validating = false;
    this._confirming = false;
    this._rejecting = false;
    this._busy = false;
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .plain {
        margin: 8px 0;
        padding-left: 0;
        list-style: none;
      }
      .plain li {
        margin: 2px 0;
      }
      .plain b {
        display: inline-block;
        min-width: 4.5em;
      }
      .issues {
        margin: 4px 0;
        padding-left: 20px;
      }
      details {
        margin: 8px 0;
      }
      .decisions {
        margin-top: 12px;
      }
      .reject input {
        flex: 1;
        min-width: 12em;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._timer);
  }

  private t(key: StringKey, values?: Record<string, string | number>): string {
    return localize(this.hass, key, values);
  }

  private get edited(): boolean {
    return this._yaml !== undefined && this._yaml !== this.suggestion.yaml;
  }

  private get requiresConfirmation(): boolean {
    return this._validation?.requires_confirmation ?? this.suggestion.requires_confirmation;
  }

  protected override render() {
    const suggestion = this.suggestion;
    const plain = describeAutomation(this.hass, suggestion.automation);
    const validation = this._validation ?? suggestion.validation;
    const days = suggestion.evidence?.days ?? [];
    return html`<article class="card suggestion" data-id=${suggestion.id}>
      <h2>${suggestion.title}</h2>
      <div class="secondary score">${this.t("suggestion.score", { score: suggestion.score.toFixed(2) })}</div>
      <p class="description">${suggestion.description}</p>
      ${this.compact ? nothing : this.renderPlain(plain.when, plain.onlyIf, plain.then)}
      ${suggestion.explanation ? html`<p class="explanation"><b>${this.t("suggestion.why")}:</b> ${suggestion.explanation}</p>` : nothing}
      ${days.length > 0
        ? html`<homeiq-evidence-chart .hass=${this.hass} .evidence=${suggestion.evidence} ?compact=${this.compact}></homeiq-evidence-chart>`
        : this.compact
          ? nothing
          : html`<p class="secondary">${this.t("suggestion.no_evidence")}</p>`}
      ${this.compact ? nothing : this.renderSafety(validation.safety.score, validation.safety.issues)}
      ${this.requiresConfirmation
        ? html`<p class="warning needs-confirmation">${this.t("suggestion.needs_confirmation")}</p>`
        : nothing}
      ${this.compact ? nothing : this.renderYaml()}
      ${this.renderDecisions()}
      ${this._error ? html`<p class="error">${this._error}</p>` : nothing}
      <homeiq-confirm-dialog
        .open=${this._confirming}
        .heading=${this.t("confirm.title")}
        .text=${this.t("confirm.text", { title: suggestion.title })}
        .confirmLabel=${this.t("confirm.deploy")}
        .cancelLabel=${this.t("common.cancel")}
        @homeiq-confirm=${() => this.approve(true)}
        @homeiq-cancel=${() => (this._confirming = false)}
      ></homeiq-confirm-dialog>
    </article>`;
  }

  private renderPlain(when: string[], onlyIf: string[], then: string[]) {
    const line = (key: StringKey, items: string[]) =>
      items.length ? html`<li><b>${this.t(key)}</b> ${items.join("; ")}</li>` : nothing;
    return html`<ul class="plain">
      ${line("suggestion.when", when)} ${line("suggestion.only_if", onlyIf)} ${line("suggestion.then", then)}
    </ul>`;
  }

  private renderSafety(score: number, issues: Issue[]) {
    return html`<div class="safety ${issues.length ? "warning" : "success"}">
      ${this.t("suggestion.safety", { score })}: ${issues.length ? nothing : this.t("suggestion.safe")}
      ${this.renderIssues(issues)}
    </div>`;
  }

  private renderIssues(issues: Issue[], cls = "") {
    return issues.length
      ? html`<ul class="issues ${cls}">${issues.map((issue) => html`<li>${issue.message}</li>`)}</ul>`
      : nothing;
  }

  private renderYaml() {
    const validation = this._validation;
    let status: unknown = nothing;
    if (this._validating) {
      status = html`<span class="secondary">${this.t("suggestion.validating")}</span>`;
    } else if (validation) {
      status = validation.valid
        ? html`<span class="success">${this.t("suggestion.valid")}</span>`
        : html`<span class="error">${this.t("suggestion.invalid")}</span>`;
    }
    return html`<details class="yaml" open>
      <summary>${this.t("suggestion.yaml")} <span class="validation">${status}</span></summary>
      <textarea
        class="yaml"
        spellcheck="false"
        aria-label=${this.t("suggestion.yaml")}
        .value=${this._yaml ?? this.suggestion.yaml}
        @input=${this.onYamlInput}
      ></textarea>
      ${validation ? this.renderIssues(validation.errors, "error") : nothing}
      ${validation ? this.renderIssues(validation.warnings, "warning") : nothing}
    </details>`;
  }

  private renderDecisions() {
    const invalid = this._validation !== undefined && !this._validation.valid;
    return html`<div class="row decisions">
        <button class="primary approve" ?disabled=${this._busy || invalid} @click=${this.onApprove}>
          ${this.t(this.edited ? "suggestion.approve_edited" : "suggestion.approve")}
        </button>
        <button class="danger reject-open" ?disabled=${this._busy} @click=${() => (this._rejecting = !this._rejecting)}>
          ${this.t("suggestion.reject")}
        </button>
        ${this.compact
          ? nothing
          : html`<button class="snooze" ?disabled=${this._busy} @click=${this.onSnooze}>${this.t("suggestion.snooze")}</button>`}
      </div>
      ${this._rejecting
        ? html`<div class="row reject">
            <input class="reason" placeholder=${this.t("suggestion.reject_reason")} aria-label=${this.t("suggestion.reject_reason")} />
            <button class="danger reject" ?disabled=${this._busy} @click=${this.onReject}>${this.t("suggestion.reject_confirm")}</button>
          </div>`
        : nothing}`;
  }

  private onYamlInput(event: Event): void {
    this._yaml = (event.target as HTMLTextAreaElement).value;
    clearTimeout(this._timer);
    this._timer = setTimeout(() => void this.validate(), this.validateDelay);
  }

  /** Validate the YAML as it stands now (a slower earlier answer never overwrites it). */
  async validate(): Promise<void> {
    if (!this.api) return;
    const round = ++this._validationRound;
    this._validating = true;
    try {
      const result = await this.api.validate(this._yaml ?? this.suggestion.yaml);
      if (round === this._validationRound) this._validation = result;
    } catch (error) {
      if (round === this._validationRound) this._error = errorMessage(error);
    } finally {
      if (round === this._validationRound) this._validating = false;
    }
  }

  private onApprove(): void {
    if (this.requiresConfirmation) {
      this._confirming = true;
    } else {
      void this.approve(false);
    }
  }

  private async approve(confirm: boolean): Promise<void> {
    if (!this.api) return;
    this._confirming = false;
    this._busy = true;
    this._error = undefined;
    try {
      const result = await this.api.approve(this.suggestion.id, {
        ...(confirm ? { confirm: true } : {}),
        ...(this.edited ? { yaml: this._yaml } : {}),
      });
      this.done(result.message);
    } catch (error) {
      if ((error as { code?: string }).code === "confirmation_required" && !confirm) {
        this._confirming = true;
      } else {
        this._error = errorMessage(error);
      }
    } finally {
      this._busy = false;
    }
  }

  private async onReject(): Promise<void> {
    if (!this.api) return;
    const input = this.renderRoot.querySelector<HTMLInputElement>("input.reason");
    this._busy = true;
    this._error = undefined;
    try {
      const result = await this.api.reject(this.suggestion.id, input?.value.trim() || undefined);
      this.done(result.message);
    } catch (error) {
      this._error = errorMessage(error);
    } finally {
      this._busy = false;
    }
  }

  private onSnooze(): void {
    snooze(this.suggestion.id);
    this.done(this.t("suggestion.snooze"));
  }

  private done(message: string): void {
    this.dispatchEvent(
      new CustomEvent<SuggestionDoneDetail>("homeiq-suggestion-done", {
        detail: { id: this.suggestion.id, message },
        bubbles: true,
        composed: true,
      }),
    );
  }
}

if (!customElements.get("homeiq-suggestion")) {
  customElements.define("homeiq-suggestion", HomeiqSuggestion);
}
