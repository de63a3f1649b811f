/** training (in progress). @module */
export {};
