import { AppError, CommonErrorCode, declareErrorStatuses } from '../../common/app-error';

export enum WebhookErrorCode {
  WEBHOOK_TARGET_NOT_ALLOWED = 'WEBHOOK_TARGET_NOT_ALLOWED',
  WEBHOOK_TARGET_UNRESOLVABLE = 'WEBHOOK_TARGET_UNRESOLVABLE',
}

declareErrorStatuses<WebhookErrorCode>({ WEBHOOK_TARGET_NOT_ALLOWED: 422, WEBHOOK_TARGET_UNRESOLVABLE: 422 });

export const WebhookErrors = {
  targetNotAllowed: () =>
    new AppError(
      WebhookErrorCode.WEBHOOK_TARGET_NOT_ALLOWED,
      "The URL's host is a private, loopback, link-local or otherwise internal address, which webhooks may not reach",
    ),
  targetUnresolvable: () =>
    new AppError(WebhookErrorCode.WEBHOOK_TARGET_UNRESOLVABLE, "The URL's host name does not resolve"),
  endpointNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'Webhook endpoint not found'),
  deliveryNotFound: () => new AppError(CommonErrorCode.NOT_FOUND, 'Webhook delivery not found'),
};
