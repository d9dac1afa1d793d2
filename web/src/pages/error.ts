// The 404 and 403 page: the shell around it, in the reader's language.
import "./error.css";
import { markLoaded, startPage } from "../shell/shell";

startPage();
markLoaded();
