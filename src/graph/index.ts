/** graph (in progress). @module */
export {};
