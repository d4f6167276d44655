// The Mirairo ID custom elements as React 19 elements, for TypeScript. React 19 sets a
// prop that the element has as a property (`client`) and any other as an attribute
// (`api`, `lang`, `client-id`…), and listens to `on<event-name>` props as custom
// events, with the name exactly as written: `onmirairo-place-select`.
import type { DetailedHTMLProps, HTMLAttributes } from "react";
import type { LoginResult, MirairoId, MirairoIdError, MirairoLoginButton } from "@mirairo-id/sdk";
import type {
  MirairoCouponSelectDetail,
  MirairoCouponsElement,
  MirairoErrorDetail,
  MirairoPlaceSelectDetail,
  MirairoPlacesElement,
} from "@mirairo-id/widget";

type CustomElementProps<E extends HTMLElement, Props> = DetailedHTMLProps<HTMLAttributes<E>, E> & Props;

interface WidgetProps {
  api?: string;
  prefecture?: string;
  category?: string;
  "onmirairo-error"?: (event: CustomEvent<MirairoErrorDetail>) => void;
}

declare module "react" {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      "mirairo-login-button": CustomElementProps<
        MirairoLoginButton,
        {
          client?: MirairoId | null;
          issuer?: string;
          "client-id"?: string;
          "redirect-uri"?: string;
          theme?: "filled" | "outline";
          size?: "small" | "medium" | "large";
          mode?: "redirect" | "popup";
          "onmirairo-login"?: (event: CustomEvent<LoginResult>) => void;
          "onmirairo-error"?: (event: CustomEvent<MirairoIdError>) => void;
        }
      >;
      "mirairo-places": CustomElementProps<
        MirairoPlacesElement,
        WidgetProps & { "onmirairo-place-select"?: (event: CustomEvent<MirairoPlaceSelectDetail>) => void }
      >;
      "mirairo-coupons": CustomElementProps<
        MirairoCouponsElement,
        WidgetProps & {
          calendar?: "japanese";
          "onmirairo-coupon-select"?: (event: CustomEvent<MirairoCouponSelectDetail>) => void;
        }
      >;
    }
  }
}
