// The learner's progress records, and the Mark as done button that writes one.

import { ApiError, call, getAll } from "./api.js";
import { h } from "./dom.js";
import { announce, clearError, handle, showError } from "./ui.js";

const etags = new Map(); // slug → the ETag of this tab's last write of that record
export let records = new Map(); // slug → the learner's progress record

export function forgetWrites() {
  etags.clear();
}

/** Read every record of the learner again (the roadmap marks what is in progress). */
export async function loadRecords() {
  const list = await getAll("/me/progress");
  records = new Map(list.map((record) => [record.topic, record]));
  return records;
}

/**
 * Record the topic completed, keeping what the learner wrote on it (a PUT sets every field).
 * No `level` is sent: the record's level then follows from `completed` (DESIGN §7), which is
 * what "done" means, whatever depth the learner had set before.
 */
async function markDone(slug, title) {
  const record = records.get(slug);
  const body = { status: "completed" };
  if (record) Object.assign(body, { mastery: record.mastery, hours_spent: record.hours_spent, notes: record.notes });
  const etag = etags.get(slug);
  const { etag: next } = await call("PUT", `/me/progress/${encodeURIComponent(slug)}`, {
    json: body,
    headers: etag ? { "If-Match": etag } : {},
  });
  if (next) etags.set(slug, next);
  announce(`Marked “${title}” as done.`);
}

export function doneButton(topic, after) {
  const button = h("button", { type: "button", class: "done", "aria-describedby": `title-${topic.slug}` }, "Mark as done");
  button.addEventListener("click", async () => {
    clearError();
    button.disabled = true;
    try {
      await markDone(topic.slug, topic.title);
      await after();
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        etags.delete(topic.slug);
        showError(new Error("This topic was changed elsewhere in the meantime; the list now shows its latest state."));
        await after();
      } else {
        handle(error);
      }
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
