#!/usr/bin/env node
// Entry point of the `tether` command; the compiled CLI lives in dist/ (built by `npm install` / `npm run build`).
import '../dist/host/main.js';
