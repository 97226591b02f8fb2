// Wide screens: the problem page's panes fill the window below the header and the banners. Their
// height is not known to CSS (the header wraps, banners come and go), so this keeps
// `--above-main` (px above <main>) current for style.css; the body itself stays a plain block.

export function fitBelowHeader(main: HTMLElement): () => void {
  const root = document.documentElement;
  const update = (): void => root.style.setProperty("--above-main", `${main.offsetTop}px`);
  const observer = new ResizeObserver(update);
  for (const above of [document.querySelector("header.site"), document.getElementById("banners")]) {
    if (above) observer.observe(above);
  }
  update();
  return () => {
    observer.disconnect();
    root.style.removeProperty("--above-main");
  };
}
