/**
 * The demo host's stylesheet. Colours keep at least 4.5:1 against their background (WCAG AA), every control shows
 * a visible focus ring, and nothing depends on colour alone (each state also has words).
 */
export const STYLESHEET = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: #1b1f24; background: #ffffff; }
body { margin: 0; }
.skip { position: absolute; left: -999px; top: 0; background: #ffffff; padding: .5rem 1rem; }
.skip:focus { left: 1rem; }
header.site { border-bottom: 1px solid #c4c7c5; padding: .75rem 1.25rem; }
.brand { margin: 0; font-weight: 600; }
.brand a { color: inherit; text-decoration: none; }
.tag { font-weight: 400; font-size: .85rem; color: #444746; border: 1px solid #747775; border-radius: 1rem; padding: 0 .5rem; margin-left: .5rem; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
main:focus { outline: none; }
h1 { font-size: 1.75rem; margin: 0 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; }
section { border: 1px solid #c4c7c5; border-radius: .75rem; padding: 0 1.25rem 1.25rem; margin-top: 1.5rem; }
a { color: #0b57d0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem; background: #f1f3f4; padding: .1rem .3rem; border-radius: .25rem; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; list-style: none; padding: 0; margin: 1rem 0 .5rem; }
.actions form { margin: 0; }
.button { display: inline-block; font: inherit; font-weight: 600; padding: .55rem 1.1rem; border-radius: .5rem; border: 2px solid #0b57d0; background: #ffffff; color: #0b57d0; text-decoration: none; cursor: pointer; }
.button:hover { background: #e8f0fe; }
.button.primary { background: #0b57d0; color: #ffffff; }
.button.primary:hover { background: #0842a0; border-color: #0842a0; }
.button.danger { border-color: #b3261e; background: #b3261e; color: #ffffff; }
.button.danger:hover { background: #8c1d18; border-color: #8c1d18; }
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, .skip:focus { outline: 3px solid #1b1f24; outline-offset: 3px; }
.hint { color: #444746; margin: .25rem 0 0; }
.flash { padding: .75rem 1rem; border-radius: .5rem; border: 1px solid; margin: 0 0 1rem; }
.flash.success { background: #e6f4ea; border-color: #146c2e; color: #0d5223; }
.flash.error { background: #fce8e6; border-color: #b3261e; color: #8c1d18; }
.badge { display: inline-block; font-weight: 600; padding: 0 .6rem; border-radius: 1rem; border: 1px solid; }
.badge.good { background: #e6f4ea; color: #0d5223; border-color: #146c2e; }
.badge.bad { background: #fce8e6; color: #8c1d18; border-color: #b3261e; }
.badge.neutral { background: #f1f3f4; color: #1b1f24; border-color: #747775; }
dl.status { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.25rem; margin: 1rem 0; }
dl.status dt { font-weight: 600; }
dl.status dd { margin: 0; }
dl.status ul { margin: 0; padding-left: 1.1rem; }
fieldset { border: 1px solid #c4c7c5; border-radius: .5rem; padding: .75rem 1rem 1rem; margin: 1rem 0 0; }
legend { font-weight: 600; padding: 0 .25rem; }
.check { display: flex; gap: .5rem; align-items: flex-start; margin: .25rem 0 .75rem; }
.check input { width: 1.15rem; height: 1.15rem; margin-top: .2rem; }
label { font-weight: 500; }
textarea { display: block; width: 100%; box-sizing: border-box; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; border: 1px solid #747775; border-radius: .5rem; padding: .5rem; margin: .5rem 0 1rem; }
`;
