import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiError } from "./api/client";
import { App } from "./app/App";
import { AppErrorBoundary } from "./app/AppErrorBoundary";
import { AuthGate } from "./features/me";
import { ThemeProvider } from "./theme";
import { LocaleProvider } from "./i18n";
import "./app/global.css";

const refused = (error: unknown) => error instanceof ApiError && (error.status === 401 || error.status === 403);

const queryClient = new QueryClient({
  defaultOptions: {
    // Signed out or not allowed (401, 403) is not retried: the gate's page replaces the app at once.
    queries: { staleTime: 30_000, retry: (failures, error) => failures < 1 && !refused(error), refetchOnWindowFocus: false },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <LocaleProvider>
        <ThemeProvider>
          <AppErrorBoundary>
            <AuthGate>
              <App />
            </AuthGate>
          </AppErrorBoundary>
        </ThemeProvider>
      </LocaleProvider>
    </QueryClientProvider>
  </StrictMode>,
);
