console.error("cem: not built yet"); process.exit(2);
