/** The controller's version, in SARIF exports and the OpenAPI document. */
export const CONTROLLER_VERSION = '0.1.0';
