/* start.js — the page starts once every script is defined (make web inlines table.js, playground.js,
 * example.js, quiz.js, images.js, then this). */
'use strict';
fillForm(settings);
reset();
requestAnimationFrame(frame);
