/** `homeiq-confirm-dialog`: an in-panel yes/no question (no Home Assistant-internal dialog). */
import { LitElement, css, html, nothing } from "lit";
import { sharedStyles } from "./styles.js";

export class HomeiqConfirmDialog extends LitElement {
  static override properties = {
    open: { type: Boolean, reflect: true },
    heading: {},
    text: {},
    confirmLabel: { attribute: false },
    cancelLabel: { attribute: false },
  };

  declare open: boolean;
  declare heading: string;
  declare text: string;
  declare confirmLabel: string;
  declare cancelLabel: string;

  constructor() {
    super();
    this.open = false;
    this.heading = "";
    this.text = "";
    this.confirmLabel = "OK";
    this.cancelLabel = "Cancel";
  }

  static override styles = [
    sharedStyles,
    css`
      .scrim {
        position: fixed;
        inset: 0;
        background: rgba(0, 0, 0, 0.4);
        display: flex;
        align-items: center;
        justify-content: center;
        z-index: 10;
      }
      .dialog {
        max-width: 420px;
        margin: 16px;
      }
      .row {
        justify-content: flex-end;
        margin-top: 16px;
      }
    `,
  ];

  protected override render() {
    if (!this.open) return nothing;
    return html`<div class="scrim">
      <div class="dialog card" role="alertdialog" aria-modal="true" aria-label=${this.heading}>
        <h2>${this.heading}</h2>
        <p>${this.text}</p>
        <div class="row">
          <button class="cancel" @click=${() => this.close("homeiq-cancel")}>${this.cancelLabel}</button>
          <button class="primary confirm" @click=${() => this.close("homeiq-confirm")}>${this.confirmLabel}</button>
        </div>
      </div>
    </div>`;
  }

  private close(event: "homeiq-confirm" | "homeiq-cancel"): void {
    this.open = false;
    this.dispatchEvent(new CustomEvent(event, { bubbles: true, composed: true }));
  }
}

if (!customElements.get("homeiq-confirm-dialog")) {
  customElements.define("homeiq-confirm-dialog", HomeiqConfirmDialog);
}
