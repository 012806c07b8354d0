// Sources are dragged from the sidebar and the modeller's palette onto a product's canvas.
export const SOURCE_MIME = "application/x-steward-source";
