export { customersRoutes } from './customers.routes.js';
