import { afterEach, expect, it } from "vitest";
import { HomeIQApi } from "../src/api.js";
import type { Query } from "../src/types.js";
import "../src/views/ask-view.js";
import type { HomeiqAskView } from "../src/views/ask-view.js";
import { FakeHass, all, mount, one, settle, suggestion } from "./fakes.js";

afterEach(() => {
  document.body.innerHTML = "";
});

const question: Query & { message: string } = {
  query_id: "q1",
  text: "when the door opens turn on the light",
  status: "needs_clarification",
  kind: "automation",
  actions: [],
  automation: null,
  clarifications: [
    {
      id: "light",
      question: "Which light?",
      options: [
        { value: "light.hallway", label: "Hallway" },
        { value: "light.kitchen", label: "Kitchen" },
      ],
    },
  ],
  suggestions: [],
  message: "Which light?",
};

it("asks, offers the clarification's options as buttons, and refines with the chosen value", async () => {
  const ready = { ...question, status: "ready", clarifications: [], suggestions: [suggestion()], message: "Here is the automation." };
  const hass = new FakeHass().on("homeiq/ask", () => question).on("homeiq/refine", () => ready);
  const element = mount<HomeiqAskView>("homeiq-ask-view", { hass, api: new HomeIQApi(() => hass) });
  await settle(element);

  one<HTMLTextAreaElement>(element, "textarea.text").value = question.text;
  one(element, "button.ask").click();
  await settle(element);
  expect(hass.callsOf("homeiq/ask")).toEqual([{ type: "homeiq/ask", text: question.text }]);
  const options = all(element, "button.option");
  expect(options.map((button) => button.textContent)).toEqual(["Hallway", "Kitchen"]);

  (options[0] as HTMLButtonElement).click();
  await settle(element);
  expect(hass.callsOf("homeiq/refine")).toEqual([
    { type: "homeiq/refine", query_id: "q1", answers: { light: "light.hallway" } },
  ]);
  // The refined answer is previewed as its suggestion, with Approve.
  expect(one(element, "homeiq-suggestion h2").textContent).toBe(suggestion().title);
  expect(all(element, "button.approve")).toHaveLength(1);
});
