/** An automation config in plain words: when, only if, then, by device class. */
import type { AutomationConfig, Hass } from "./types.js";

export interface PlainAutomation {
  when: string[];
  onlyIf: string[];
  then: string[];
}

type Item = Record<string, unknown>;

// What a state means for a kind of device (Home Assistant's device classes), so a door
// "opens" rather than "turns on".
const STATE_WORDS: Record<string, Record<string, string>> = {
  door: { on: "opens", off: "closes" },
  garage_door: { on: "opens", off: "closes", open: "opens", closed: "closes" },
  window: { on: "opens", off: "closes" },
  opening: { on: "opens", off: "closes" },
  motion: { on: "detects motion", off: "detects no motion" },
  occupancy: { on: "detects someone", off: "detects nobody" },
  presence: { on: "detects someone", off: "detects nobody" },
  lock: { locked: "is locked", unlocked: "is unlocked" },
  person: { home: "comes home", not_home: "leaves home" },
};

function ids(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function nameOf(hass: Hass | undefined, entityId: string): string {
  const name = hass?.states[entityId]?.attributes.friendly_name;
  return typeof name === "string" ? name : entityId;
}

function kindOf(hass: Hass | undefined, entityId: string): string {
  const deviceClass = hass?.states[entityId]?.attributes.device_class;
  const domain = entityId.split(".")[0];
  return typeof deviceClass === "string" ? deviceClass : domain;
}

function stateWords(hass: Hass | undefined, entityId: string, state: unknown): string {
  if (typeof state !== "string") return "changes";
  return STATE_WORDS[kindOf(hass, entityId)]?.[state] ?? `becomes ${state.replace(/_/g, " ")}`;
}

function names(hass: Hass | undefined, entityIds: string[]): string {
  return entityIds.map((id) => nameOf(hass, id)).join(", ");
}

function duration(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    return Object.entries(value as Record<string, number>)
      .filter(([, amount]) => amount)
      .map(([unit, amount]) => `${amount} ${unit}`)
      .join(" ");
  }
  return String(value);
}

function offset(value: unknown): string {
  return value ? ` (${String(value)})` : "";
}

function trigger(hass: Hass | undefined, item: Item): string {
  const entities = ids(item.entity_id);
  const lasting = item.for ? ` for ${duration(item.for)}` : "";
  switch (item.trigger ?? item.platform) {
    case "state":
      return `${names(hass, entities)} ${stateWords(hass, entities[0] ?? "", item.to)}${lasting}`;
    case "time":
      return `at ${ids(item.at).join(", ")}`;
    case "sun":
      return `at ${String(item.event)}${offset(item.offset)}`;
    case "numeric_state":
      return `${names(hass, entities)} goes${item.above !== undefined ? ` above ${String(item.above)}` : ""}${item.below !== undefined ? ` below ${String(item.below)}` : ""}`;
    case "time_pattern":
      return `every ${[item.hours && `${String(item.hours)} h`, item.minutes && `${String(item.minutes)} min`].filter(Boolean).join(" ")}`;
    default:
      return String(item.trigger ?? item.platform ?? "?");
  }
}

function condition(hass: Hass | undefined, item: Item): string {
  const entities = ids(item.entity_id);
  switch (item.condition) {
    case "state":
      return `${names(hass, entities)} ${stateWords(hass, entities[0] ?? "", item.state).replace(/^(opens|closes|comes|leaves|detects)/, (verb) => `still ${verb}`)}`;
    case "time": {
      const parts = [
        item.after ? `after ${String(item.after)}` : "",
        item.before ? `before ${String(item.before)}` : "",
        item.weekday ? `on ${ids(item.weekday).join(", ")}` : "",
      ];
      return parts.filter(Boolean).join(" ");
    }
    case "sun":
      return [item.after ? `after ${String(item.after)}` : "", item.before ? `before ${String(item.before)}` : ""]
        .filter(Boolean)
        .join(" and ");
    default:
      return String(item.condition ?? "?");
  }
}

function action(hass: Hass | undefined, item: Item): string {
  if (typeof item.action === "string") {
    const target = (item.target ?? {}) as Item;
    const [domain, service = ""] = item.action.split(".");
    const entities = ids(target.entity_id ?? (item.data as Item | undefined)?.entity_id);
    const what = entities.length ? names(hass, entities) : domain;
    return `${service.replace(/_/g, " ")} ${what}`;
  }
  if (item.delay !== undefined) return `wait ${duration(item.delay)}`;
  if (item.wait_for_trigger !== undefined) {
    const waits = Array.isArray(item.wait_for_trigger) ? item.wait_for_trigger : [item.wait_for_trigger];
    return `wait until ${waits.map((wait) => trigger(hass, wait as Item)).join(" or ")}`;
  }
  return Object.keys(item)[0] ?? "?";
}

function list(value: unknown): Item[] {
  if (Array.isArray(value)) return value as Item[];
  return value ? [value as Item] : [];
}

/** The automation's triggers, conditions and actions, each as a short phrase. */
export function describeAutomation(hass: Hass | undefined, automation: AutomationConfig): PlainAutomation {
  return {
    when: list(automation.triggers ?? automation.trigger).map((item) => trigger(hass, item)),
    onlyIf: list(automation.conditions ?? automation.condition).map((item) => condition(hass, item)),
    then: list(automation.actions ?? automation.action).map((item) => action(hass, item)),
  };
}
