import { defineConfig } from "vitest/config";

// happy-dom: a DOM in Node, so the components' tests need no browser download.
export default defineConfig({
  test: {
    environment: "happy-dom",
    include: ["test/**/*.test.ts"],
  },
});
