// Banners: one per topic (storage, update, conflict...), each with its own actions.

export interface BannerAction { label: string; action(): void }

export function showBanner(id: string, text: string, actions: BannerAction[], autoHideMs?: number): void {
  const area = document.getElementById("banners")!;
  document.getElementById(`banner-${id}`)?.remove();
  const banner = document.createElement("div");
  banner.id = `banner-${id}`;
  banner.className = "banner";
  banner.setAttribute("role", "alert");
  const message = document.createElement("span");
  message.textContent = text;
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
  close.setAttribute("aria-label", "Dismiss");
  close.textContent = "×";
  close.addEventListener("click", () => banner.remove());
  banner.append(close);
  area.append(banner);
  if (autoHideMs) setTimeout(() => banner.remove(), autoHideMs);
}

export function hideBanner(id: string): void {
  document.getElementById(`banner-${id}`)?.remove();
}
