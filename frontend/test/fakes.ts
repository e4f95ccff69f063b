/** A fake `hass` whose `callWS` answers from handlers and records every call. */
import { LitElement } from "lit";
import type { Hass, HassEntityState, Suggestion } from "../src/types.js";

type Message = Record<string, unknown> & { type: string };
type Handler = (message: Message) => unknown;

export class FakeHass implements Hass {
  language = "en";
  states: Record<string, HassEntityState> = {};
  entities: Hass["entities"] = {};
  areas: Hass["areas"] = {};
  devices: Hass["devices"] = {};
  readonly calls: Message[] = [];

  constructor(private readonly handlers: Record<string, Handler> = {}) {}

  on(type: string, handler: Handler): this {
    this.handlers[type] = handler;
    return this;
  }

  async callWS<T>(message: Message): Promise<T> {
    this.calls.push(message);
    const handler = this.handlers[message.type];
    if (!handler) throw { code: "unknown_command", message: `Unknown command ${message.type}` };
    return handler(message) as T;
  }

  callsOf(type: string): Message[] {
    return this.calls.filter((call) => call.type === type);
  }
}

/** Let pending promises settle and every Lit element in the tree finish updating. */
export async function settle(root: Element): Promise<void> {
  for (let round = 0; round < 5; round++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    const pending = all(root, "*").filter((element) => element instanceof LitElement);
    await Promise.all(pending.map((element) => (element as LitElement).updateComplete));
  }
}

/** Every element matching `selector` in `root`'s tree, through shadow roots. */
export function all(root: Element | ShadowRoot, selector: string): Element[] {
  const found: Element[] = [];
  const visit = (node: Element | ShadowRoot) => {
    for (const element of Array.from(node.querySelectorAll("*"))) {
      if (element.matches(selector)) found.push(element);
      if (element.shadowRoot) visit(element.shadowRoot);
    }
  };
  if (root instanceof Element && root.matches(selector)) found.push(root);
  if (root instanceof Element && root.shadowRoot) visit(root.shadowRoot);
  visit(root);
  return found;
}

/** The first element matching `selector` in `root`'s tree; fails the test when none. */
export function one<T extends Element = HTMLElement>(root: Element, selector: string): T {
  const [element] = all(root, selector);
  if (!element) throw new Error(`no ${selector}`);
  return element as T;
}

export function suggestion(overrides: Partial<Suggestion> = {}): Suggestion {
  return {
    id: "s1",
    source: "pattern",
    source_id: "p1",
    title: "Hall light when the front door opens",
    description: "Turn on the hall light when the front door opens after sunset.",
    explanation: "On 23 of 31 days the hall light turned on within 15 s after the front door opened.",
    score: 0.69,
    status: "pending",
    automation: {
      id: "homeiq_s1",
      alias: "Hall light when the front door opens",
      mode: "single",
      triggers: [{ trigger: "state", entity_id: "binary_sensor.front_door", to: "on" }],
      conditions: [{ condition: "sun", after: "sunset" }],
      actions: [{ action: "light.turn_on", target: { entity_id: ["light.hall"] } }],
    },
    yaml: "alias: Hall light when the front door opens\nmode: single\n",
    validation: { valid: true, errors: [], warnings: [], safety: { score: 100, issues: [] } },
    requires_confirmation: false,
    created_at: "2026-12-01T10:00:00+00:00",
    updated_at: "2026-12-01T10:00:00+00:00",
    evidence: {
      days: [
        { date: "2026-11-29", times: ["18:01:00", "19:30:10"] },
        { date: "2026-11-30", times: [] },
        { date: "2026-12-01", times: ["17:58:02"] },
      ],
    },
    ...overrides,
  };
}

export function mount<T extends HTMLElement>(tag: string, properties: Partial<T>): T {
  const element = document.createElement(tag) as T;
  Object.assign(element, properties);
  document.body.append(element);
  return element;
}
