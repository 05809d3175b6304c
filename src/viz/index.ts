// halfspace/viz: the project's figures as SVG text (browser-safe; no plotting dependency).

export * from './svg.js';
export * from './charts.js';
export * from './model-figures.js';
