import { z } from 'zod';

/**
 * The shape of an incoming activity, checked before any turn runs: the fields every activity of
 * the Bot Framework protocol carries and that tenantlink relies on, with the type of every field a
 * turn reads (a `locale` of `42` or `{}` gave a 500 and broke the turn error handler, issue 20).
 * Everything else passes through to botbuilder unchanged.
 * Source: https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object
 */

/** A channel account (`from`, `recipient`): id and optional name, both strings. */
const ChannelAccount = z
  .object({
    id: z.string().min(1).max(512),
    name: z.string().max(1024).optional(),
    aadObjectId: z.string().max(64).optional(),
  })
  .passthrough();

/** The incoming activity as tenantlink accepts it (zod schema). */
export const ActivityShape = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().max(512).optional(),
    channelId: z.string().min(1).max(64),
    serviceUrl: z.string().url().max(2048),
    conversation: z
      .object({
        id: z.string().min(1).max(512),
        conversationType: z.string().max(64).optional(),
        tenantId: z.string().max(64).optional(),
      })
      .passthrough(),
    from: ChannelAccount,
    recipient: ChannelAccount.optional(),
    // BCP 47 tags (RFC 5646) are at most 35 characters in practice; letters, digits and hyphens.
    locale: z
      .string()
      .max(35)
      .regex(/^[A-Za-z0-9-]*$/)
      .optional(),
    text: z
      .string()
      .max(64 * 1024)
      .optional(),
    textFormat: z.string().max(16).optional(),
    name: z.string().max(256).optional(),
    replyToId: z.string().max(512).optional(),
    timestamp: z.string().max(64).optional(),
    localTimestamp: z.string().max(64).optional(),
    attachments: z.array(z.object({}).passthrough()).max(32).optional(),
    entities: z.array(z.object({}).passthrough()).max(64).optional(),
    channelData: z.object({}).passthrough().optional(),
    membersAdded: z.array(ChannelAccount).max(256).optional(),
    membersRemoved: z.array(ChannelAccount).max(256).optional(),
  })
  .passthrough();

/** An activity that passed {@link ActivityShape}. */
export type IncomingActivity = z.infer<typeof ActivityShape>;
