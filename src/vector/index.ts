/** vector (in progress). @module */
export {};
