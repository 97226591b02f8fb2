// Banners: one per topic (storage, update, conflict...), each with its own actions.
import { appendInline } from "./inline";

/** A new element with a class and, optionally, its text (as text, never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export interface BannerAction { label: string; action(): void }

/**
 * Show a banner (replacing any other with the same id). `onDismiss` runs when the learner closes
 * it with its close button (not when an action button, auto-hide or a newer banner removes it);
 * `dismissLabel` names what closing means, for banners where closing is a choice.
 */
export function showBanner(id: string, text: string, actions: BannerAction[], autoHideMs?: number,
                           dismiss?: { label: string; onDismiss(): void }): void {
  const area = document.getElementById("banners")!;
  document.getElementById(`banner-${id}`)?.remove();
  const banner = document.createElement("div");
  banner.id = `banner-${id}`;
  banner.className = "banner";
  banner.setAttribute("role", "alert");
  const message = document.createElement("span");
  appendInline(message, text); // `code` shown as code, never as HTML
  banner.append(message);
  for (const { label, action } of actions) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", () => {
      banner.remove();
      action();
    });
    banner.append(button);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.setAttribute("aria-label", dismiss?.label ?? "Dismiss");
  close.title = dismiss?.label ?? "Dismiss";
  close.textContent = "×";
  close.addEventListener("click", () => {
    banner.remove();
    dismiss?.onDismiss();
  });
  banner.append(close);
  area.append(banner);
  if (autoHideMs) setTimeout(() => banner.remove(), autoHideMs);
}

export function hideBanner(id: string): void {
  document.getElementById(`banner-${id}`)?.remove();
}
