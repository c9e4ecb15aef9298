// The "tell us more" popover: reasons and a comment for the rating just given. Loaded on first
// use (React.lazy in FeedbackButtons): Popover, Textarea and Field stay out of the initial bundle.
import { Button, Caption1, Field, makeStyles, mergeClasses, Popover, PopoverSurface, Subtitle2, Textarea, shorthands, ToggleButton, tokens } from "@fluentui/react-components";
import { Dismiss20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import type { Schemas } from "../../../api/client";
import { format, useMessages } from "../../../i18n";
import { feedbackMessages } from "../messages";
import { MAX_COMMENT_CHARS, REASONS, reasonKey, type Rating } from "../reasons";

type Feedback = Schemas["FeedbackRead"];

const useStyles = makeStyles({
  form: { width: "min(360px, calc(100vw - 48px))", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  top: { display: "flex", alignItems: "center", justifyContent: "space-between" },
  heading: { margin: 0 },
  chips: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
  chip: { fontWeight: tokens.fontWeightRegular },
  chosen: {
    color: tokens.colorBrandForeground2,
    backgroundColor: tokens.colorBrandBackground2,
    ...shorthands.borderColor(tokens.colorBrandStroke2),
    ":hover": { color: tokens.colorBrandForeground2Hover, backgroundColor: tokens.colorBrandBackground2Hover },
    ":hover:active": { color: tokens.colorBrandForeground2Pressed, backgroundColor: tokens.colorBrandBackground2Pressed },
  },
  counter: { alignSelf: "flex-end", color: tokens.colorNeutralForeground3 },
  actions: { display: "flex", justifyContent: "flex-end", gap: tokens.spacingHorizontalS },
});

function FeedbackForm({ headingId, rating, initial, onSubmit, onClose }: FeedbackPopoverProps & { rating: Rating }) {
  const styles = useStyles();
  const t = useMessages(feedbackMessages);
  const same = initial?.rating === rating ? initial : null;
  const [reason, setReason] = useState<string | null>(same?.reason ?? null);
  const [comment, setComment] = useState(same?.comment ?? "");
  return (
    <form
      className={styles.form}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit({ rating, reason, comment: comment.trim() ? comment : null });
      }}
    >
      <div className={styles.top}>
        <Subtitle2 as="h3" id={headingId} className={styles.heading}>
          {rating === "up" ? t.upTitle : t.downTitle}
        </Subtitle2>
        <Button type="button" size="small" appearance="subtle" icon={<Dismiss20Regular />} aria-label={t.close} onClick={onClose} />
      </div>
      <div className={styles.chips} role="group" aria-label={t.reasons}>
        {REASONS[rating].map((code) => (
          <ToggleButton
            key={code}
            type="button"
            className={mergeClasses(styles.chip, reason === code && styles.chosen)}
            size="small"
            shape="circular"
            checked={reason === code}
            onClick={() => setReason((current) => (current === code ? null : code))}
          >
            {t[reasonKey(rating, code)]}
          </ToggleButton>
        ))}
      </div>
      <Field label={t.comment}>
        <Textarea
          value={comment}
          placeholder={t.commentPlaceholder}
          maxLength={MAX_COMMENT_CHARS}
          rows={3}
          resize="vertical"
          onChange={(_, data) => setComment(data.value)}
        />
      </Field>
      {comment.length > MAX_COMMENT_CHARS * 0.8 && (
        <Caption1 className={styles.counter}>{format(t.characters, { count: comment.length, max: MAX_COMMENT_CHARS })}</Caption1>
      )}
      <div className={styles.actions}>
        <Button type="submit" appearance="primary">
          {t.submit}
        </Button>
      </div>
    </form>
  );
}

export interface FeedbackPopoverProps {
  /** The rating whose details are asked for; null: closed. */
  rating: Rating | null;
  /** The thumb the popover points at. */
  anchor: HTMLElement | null;
  headingId: string;
  /** The feedback as it stands, to start from when it has this rating. */
  initial: Feedback | null;
  onSubmit: (change: Schemas["FeedbackCreate"]) => void;
  onClose: () => void;
}

export default function FeedbackPopover(props: FeedbackPopoverProps) {
  const { rating, anchor, headingId, onClose } = props;
  return (
    <Popover
      open={rating !== null && anchor !== null}
      onOpenChange={(_, data) => {
        if (!data.open) onClose();
      }}
      positioning={{ target: anchor, position: "below", align: "start" }}
      trapFocus
      withArrow
    >
      <PopoverSurface aria-labelledby={headingId}>{rating && <FeedbackForm key={rating} {...props} rating={rating} />}</PopoverSurface>
    </Popover>
  );
}
